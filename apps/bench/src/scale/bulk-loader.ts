import { Keyring } from '#ledger/crypto';
import { validateEnvelope } from '#ledger/envelope';
import { PostgresEventStore } from '#ledger/event-store';
import { createPool, type Pool } from '#ledger/postgres';
import { LedgerWriter, PostgresSubjectDirectory } from '#ledger/recording';
import type { InboundEnvelope } from '#ledger/domain';
import { loadPolicy } from '../../../ledger/src/config/policy-file';
import { round } from '../stats';
import { heavyEnvelopes, personEnvelopes, type Envelope } from './envelopes';

/** Persons per `record` call: ten envelopes each, so a call holds about as many as a full HTTP batch. */
const PERSONS_PER_CALL = 200;
/** Calls in flight: the service's HTTP and Kafka paths also overlap two batches. */
const IN_FLIGHT = 2;

export interface LoadFigures {
  readonly envelopes: number;
  readonly eps: number;
  /** Mean bytes of an envelope's JSON as an upstream system sends it. */
  readonly envelopeJsonBytes: number;
}

/**
 * The bulk loader: the service's own writer (validate → resolve → decide → seal → append →
 * shred), in this process, without HTTP or Kafka in front. It writes exactly what ingestion
 * writes (events with their hash chains, data keys, the ref directory); the read models and the
 * verifiable log are then built by the service's own projections from the feed when it starts.
 */
export class BulkLoader {
  private constructor(
    private readonly pool: Pool,
    private readonly writer: LedgerWriter,
  ) {}

  static async open(url: string, masterKeyBase64: string): Promise<BulkLoader> {
    const pool = createPool(url, { max: 4 });
    const store = await PostgresEventStore.open({ url, pool });
    const keyring = await Keyring.open(pool, Buffer.from(masterKeyBase64, 'base64'));
    const directory = await PostgresSubjectDirectory.open(pool, (ref) => keyring.mac('ref', ref));
    const { policy } = loadPolicy(process.env.LEDGER_POLICY);
    return new BulkLoader(pool, new LedgerWriter({ store, directory, keyring, policy }));
  }

  /** Persons `from` to `to` (exclusive), ten envelopes each. */
  async persons(from: number, to: number): Promise<LoadFigures> {
    const calls: Array<[number, number]> = [];
    for (let n = from; n < to; n += PERSONS_PER_CALL) calls.push([n, Math.min(to, n + PERSONS_PER_CALL)]);
    let envelopes = 0;
    let bytes = 0;
    let next = 0;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: IN_FLIGHT }, async () => {
        while (next < calls.length) {
          const [a, b] = calls[next++]!;
          const batch: Envelope[] = [];
          for (let n = a; n < b; n += 1) batch.push(...personEnvelopes(n));
          bytes += batch.reduce((sum, e) => sum + Buffer.byteLength(JSON.stringify(e)), 0);
          await this.record(batch);
          envelopes += batch.length;
        }
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    return { envelopes, eps: round(envelopes / seconds), envelopeJsonBytes: round(bytes / envelopes) };
  }

  /** The heavy person: `count` envelopes for one ref, a hundred per call as an upstream batch sends them. */
  async heavy(count: number): Promise<void> {
    for (let i = 0; i < count; i += 100) await this.record(heavyEnvelopes(i, Math.min(100, count - i)));
  }

  /** Validated as HTTP and Kafka validate, then recorded each on its own, as Kafka records. */
  private async record(batch: readonly Envelope[]): Promise<void> {
    const valid: InboundEnvelope[] = batch.map((raw, i) => {
      const check = validateEnvelope(JSON.parse(JSON.stringify(raw)) as unknown, `[${i}]`);
      if (!('envelope' in check)) throw new Error(`generated envelope refused: ${JSON.stringify(check.details)}`);
      return check.envelope;
    });
    const { outcomes } = await this.writer.record(valid, { atomic: false });
    const refused = outcomes.filter((o) => o.status !== 'recorded');
    if (refused.length > 0) throw new Error(`generated envelopes not recorded: ${JSON.stringify(refused[0])}`);
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
