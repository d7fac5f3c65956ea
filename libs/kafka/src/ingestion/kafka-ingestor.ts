import type { InboundEnvelope } from '#ledger/domain';
import { validateEnvelope } from '#ledger/envelope';
import { StoreUnavailableError } from '#ledger/event-store';
import { isTransientFault, safeErrorSummary } from '#ledger/postgres';
import { breathe } from '#ledger/common';
import type { RecordResult } from '#ledger/recording';
import { cutDownValue, sealMessageValue, type Seal } from '../dead-letters/dead-letter-value';
import type { BatchContext, DeadLetter, InboundMessage, Refusal } from '../kafka.port';

/** How dead letters are sealed: the day's dead-letter key, and a keyed hash for record keys. */
export interface DeadLetterSealing {
  sealer(): Promise<Seal>;
  keyHash(key: string): string;
}

export interface IngestorHooks {
  /** Records valid envelopes, each on its own (the rejected come back as outcomes). */
  record(envelopes: readonly InboundEnvelope[]): Promise<RecordResult>;
  readonly deadLetters: DeadLetterSealing;
  onRecorded?(outcomes: RecordResult['outcomes'], envelopes: readonly InboundEnvelope[]): void;
  onDeadLetter?(code: string): void;
  onRetry?(reason: string): void;
  onRecovered?(): void;
  log?(line: string): void;
}

type Valid = { message: InboundMessage; envelope: InboundEnvelope };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The details of a failed validation as one header line: paths and rules, never a value. */
const describe = (details: ReadonlyArray<{ path: string; message: string }>) =>
  details
    .map((d) => `${d.path}: ${d.message}`)
    .join('; ')
    .slice(0, 1000);

/** An outage of the store, in any of the forms a recording path can meet it: wait, never refuse. */
export const isOutage = (error: unknown): boolean => error instanceof StoreUnavailableError || isTransientFault(error);

/**
 * The Kafka path into the ledger: every message checked by the same code as HTTP, the valid ones
 * recorded in one writer call (a few store round trips per batch), the rest dead-lettered with a
 * stable code and sealed. A store outage is not a dead letter: the batch is retried with backoff,
 * keeping the group membership alive, until the store answers or the consumer stops. Any other
 * failure of one message ends as its dead letter, so no message can stall its partition.
 */
export class KafkaIngestor {
  private retrying = false;

  constructor(private readonly hooks: IngestorHooks) {}

  get isRetrying(): boolean {
    return this.retrying;
  }

  handle = async (messages: readonly InboundMessage[], context: BatchContext): Promise<DeadLetter[]> => {
    const refusals: Refusal[] = [];
    const valid: Valid[] = [];
    for (const message of messages) {
      await breathe();
      const checked = this.check(message);
      if ('code' in checked) refusals.push(checked);
      else valid.push({ message, envelope: checked.envelope });
    }
    if (valid.length > 0) refusals.push(...(await this.recordWithRetry(valid, context)));
    if (refusals.length === 0) return [];
    const deadLetters = await this.untilAvailable(context, () => this.seal(refusals));
    deadLetters.forEach((d) => this.hooks.onDeadLetter?.(d.code));
    return deadLetters;
  };

  private check(message: InboundMessage): { envelope: InboundEnvelope } | Refusal {
    if (!message.value || message.value.length === 0)
      return { message, code: 'EMPTY_MESSAGE', reason: 'the message has no value' };
    let raw: unknown;
    try {
      raw = JSON.parse(message.value.toString('utf8'));
    } catch {
      return { message, code: 'INVALID_JSON', reason: 'the message value is not valid JSON' };
    }
    try {
      const checked = validateEnvelope(raw);
      if ('details' in checked) return { message, code: 'VALIDATION', reason: describe(checked.details) };
      return { envelope: checked.envelope };
    } catch (error) {
      // A message the checks themselves cannot handle is refused, not thrown: it must not stall its partition.
      return { message, code: 'VALIDATION', reason: `the message could not be checked (${safeErrorSummary(error)})` };
    }
  }

  /** Seals each refusal's value and key; a letter that cannot be sealed goes cut down, its code kept. */
  private async seal(refusals: readonly Refusal[]): Promise<DeadLetter[]> {
    let seal: Seal | null = null;
    try {
      seal = await this.hooks.deadLetters.sealer();
    } catch (error) {
      if (isOutage(error)) throw error;
      this.hooks.log?.(`no dead-letter key (${safeErrorSummary(error)}); dead letters sent cut down`);
    }
    return refusals.map((refusal) => {
      const { message } = refusal;
      const cutDown = cutDownValue(message.value);
      try {
        if (!seal) throw new Error('no dead-letter key');
        const key = message.key ? this.hooks.deadLetters.keyHash(message.key.toString('utf8')) : null;
        return { ...refusal, key, value: sealMessageValue(message.value, seal), cutDown };
      } catch (error) {
        if (seal)
          this.hooks.log?.(
            `dead letter at ${message.partition}/${message.offset} not sealed ` +
              `(${safeErrorSummary(error)}); sent cut down`,
          );
        return { ...refusal, key: null, value: cutDown, cutDown };
      }
    });
  }

  private async recordWithRetry(valid: readonly Valid[], context: BatchContext): Promise<Refusal[]> {
    for (let attempt = 1, delay = 200; ; attempt += 1, delay = Math.min(delay * 2, 10_000)) {
      try {
        const result = await this.hooks.record(valid.map((v) => v.envelope));
        this.recovered();
        this.noteRecorded(
          result.outcomes,
          valid.map((v) => v.envelope),
        );
        return result.outcomes.flatMap((o) =>
          o.status === 'rejected'
            ? [{ message: valid[o.index]!.message, code: o.error.code, reason: o.error.message }]
            : [],
        );
      } catch (error) {
        if (!context.isRunning()) throw error; // stopping: the batch is redelivered to whoever takes over
        const outage = isOutage(error);
        if (!outage && attempt >= 3) return this.oneByOne(valid, context);
        await this.pause(outage ? 'store-unavailable' : 'error', error, delay, context);
      }
    }
  }

  /**
   * A batch that keeps failing for a reason other than an outage: record message by message, so
   * one message that cannot be processed is dead-lettered instead of stalling its partition.
   */
  private async oneByOne(valid: readonly Valid[], context: BatchContext): Promise<Refusal[]> {
    const refusals: Refusal[] = [];
    for (const { message, envelope } of valid) {
      try {
        const result = await this.untilAvailable(context, () => this.hooks.record([envelope]));
        this.noteRecorded(result.outcomes, [envelope]);
        const outcome = result.outcomes[0]!;
        if (outcome.status === 'rejected')
          refusals.push({ message, code: outcome.error.code, reason: outcome.error.message });
      } catch (error) {
        if (!context.isRunning()) throw error;
        refusals.push({
          message,
          code: 'PROCESSING_FAILED',
          reason: `the ledger could not process this message (${safeErrorSummary(error)})`,
        });
      }
    }
    return refusals;
  }

  /** Runs `work` again while it fails with an outage and the consumer runs; other errors are thrown. */
  private async untilAvailable<T>(context: BatchContext, work: () => Promise<T>): Promise<T> {
    for (let delay = 200; ; delay = Math.min(delay * 2, 10_000)) {
      try {
        const result = await work();
        this.recovered();
        return result;
      } catch (error) {
        if (!isOutage(error) || !context.isRunning()) throw error;
        await this.pause('store-unavailable', error, delay, context);
      }
    }
  }

  private async pause(reason: string, error: unknown, delay: number, context: BatchContext): Promise<void> {
    this.retrying = true;
    this.hooks.onRetry?.(reason);
    this.hooks.log?.(`batch not recorded (${safeErrorSummary(error)}); retrying in ${delay} ms`);
    await sleep(delay);
    await context.heartbeat().catch(() => undefined);
  }

  private recovered(): void {
    if (!this.retrying) return;
    this.retrying = false;
    this.hooks.onRecovered?.();
    this.hooks.log?.('store reachable again: consuming');
  }

  /** The hook only counts; a failure in it must not turn a recorded batch into a retried one. */
  private noteRecorded(outcomes: RecordResult['outcomes'], envelopes: readonly InboundEnvelope[]): void {
    try {
      this.hooks.onRecorded?.(outcomes, envelopes);
    } catch (error) {
      this.hooks.log?.(`counting a recorded batch failed (${safeErrorSummary(error)})`);
    }
  }
}
