import type { InboundEnvelope } from '#ledger/domain';
import { validateEnvelope } from '#ledger/envelope';
import { StoreUnavailableError } from '#ledger/event-store';
import { safeErrorSummary } from '#ledger/postgres';
import { breathe } from '#ledger/common';
import type { RecordResult } from '#ledger/recording';
import type { BatchContext, DeadLetter, InboundMessage } from '../kafka.port';

export interface IngestorHooks {
  /** Records valid envelopes, each on its own (the rejected come back as outcomes). */
  record(envelopes: readonly InboundEnvelope[]): Promise<RecordResult>;
  onRecorded?(outcomes: RecordResult['outcomes'], envelopes: readonly InboundEnvelope[]): void;
  onDeadLetter?(code: string): void;
  onRetry?(reason: string): void;
  onRecovered?(): void;
  log?(line: string): void;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The details of a failed validation as one header line: paths and rules, never a value. */
const describe = (details: ReadonlyArray<{ path: string; message: string }>) =>
  details.map((d) => `${d.path}: ${d.message}`).join('; ').slice(0, 1000);

/**
 * The Kafka path into the ledger: every message checked by the same code as HTTP, the valid ones
 * recorded in one writer call (a few store round trips per batch), the rest dead-lettered with a
 * stable code. A store outage is not a dead letter: the batch is retried with backoff, keeping
 * the group membership alive, until the store answers or the consumer stops.
 */
export class KafkaIngestor {
  private retrying = false;

  constructor(private readonly hooks: IngestorHooks) {}

  get isRetrying(): boolean {
    return this.retrying;
  }

  handle = async (messages: readonly InboundMessage[], context: BatchContext): Promise<DeadLetter[]> => {
    const deadLetters: DeadLetter[] = [];
    const valid: Array<{ message: InboundMessage; envelope: InboundEnvelope }> = [];
    for (const message of messages) {
      await breathe();
      const checked = this.check(message);
      if ('code' in checked) deadLetters.push(checked);
      else valid.push({ message, envelope: checked.envelope });
    }
    if (valid.length > 0) deadLetters.push(...(await this.recordWithRetry(valid, context)));
    deadLetters.forEach((d) => this.hooks.onDeadLetter?.(d.code));
    return deadLetters;
  };

  private check(message: InboundMessage): { envelope: InboundEnvelope } | DeadLetter {
    if (!message.value || message.value.length === 0) return { message, code: 'EMPTY_MESSAGE', reason: 'the message has no value' };
    let raw: unknown;
    try {
      raw = JSON.parse(message.value.toString('utf8'));
    } catch {
      return { message, code: 'INVALID_JSON', reason: 'the message value is not valid JSON' };
    }
    const checked = validateEnvelope(raw);
    if ('details' in checked) return { message, code: 'VALIDATION', reason: describe(checked.details) };
    return { envelope: checked.envelope };
  }

  private async recordWithRetry(
    valid: ReadonlyArray<{ message: InboundMessage; envelope: InboundEnvelope }>,
    context: BatchContext,
  ): Promise<DeadLetter[]> {
    let delay = 200;
    for (let attempt = 1; ; attempt += 1) {
      try {
        const result = await this.hooks.record(valid.map((v) => v.envelope));
        if (this.retrying) {
          this.retrying = false;
          this.hooks.onRecovered?.();
          this.hooks.log?.('store reachable again: consuming');
        }
        this.hooks.onRecorded?.(result.outcomes, valid.map((v) => v.envelope));
        return result.outcomes.flatMap((o) =>
          o.status === 'rejected' ? [{ message: valid[o.index]!.message, code: o.error.code, reason: o.error.message }] : [],
        );
      } catch (error) {
        if (!context.isRunning()) throw error; // stopping: the batch is redelivered to whoever takes over
        const outage = error instanceof StoreUnavailableError;
        if (!outage && attempt >= 3) return this.oneByOne(valid);
        this.retrying = true;
        this.hooks.onRetry?.(outage ? 'store-unavailable' : 'error');
        this.hooks.log?.(`batch not recorded (${safeErrorSummary(error)}); retrying in ${delay} ms`);
        await sleep(delay);
        await context.heartbeat().catch(() => undefined);
        delay = Math.min(delay * 2, 10_000);
      }
    }
  }

  /**
   * A batch that keeps failing for a reason other than an outage: record message by message, so
   * one message that cannot be processed is dead-lettered instead of stalling its partition.
   */
  private async oneByOne(valid: ReadonlyArray<{ message: InboundMessage; envelope: InboundEnvelope }>): Promise<DeadLetter[]> {
    const deadLetters: DeadLetter[] = [];
    for (const { message, envelope } of valid) {
      try {
        const result = await this.hooks.record([envelope]);
        this.hooks.onRecorded?.(result.outcomes, [envelope]);
        const outcome = result.outcomes[0]!;
        if (outcome.status === 'rejected') deadLetters.push({ message, code: outcome.error.code, reason: outcome.error.message });
      } catch (error) {
        if (error instanceof StoreUnavailableError) throw error;
        deadLetters.push({ message, code: 'PROCESSING_FAILED', reason: `the ledger could not process this message (${safeErrorSummary(error)})` });
      }
    }
    return deadLetters;
  }
}
