import { randomBytes, randomUUID } from 'node:crypto';
import type { InboundEnvelope } from '#ledger/domain';
import { eventHash, type StoredEvent } from '#ledger/event-store';
import type { PoolClient } from '#ledger/postgres';
import { ProjectionRunner } from '#ledger/projections';
import { openLedgerFixture, type LedgerFixture } from '../../../../test/support/ledger-fixture';
import { openCheckpoint, signCheckpoint } from '../checkpoint';
import { eventLeavesInFeedOrder } from '../event-leaves';
import { noteSignerFromSeed } from '../signed-note';
import { PostgresTreeStore } from './postgres-tree-store';
import type { ComparisonResult } from './tree-comparison';
import { TreeProjection } from './tree.projection';

const ORIGIN = 'ledger.test/tampering';
const signer = noteSignerFromSeed(ORIGIN, randomBytes(32).toString('base64'));

const envelope = (ref: string, type: string, data: object): InboundEnvelope =>
  ({
    id: randomUUID(),
    type,
    occurredAt: '2026-01-01T00:00:00Z',
    source: 'webcruiter',
    actor: 'recruiter:kari',
    subject: { ref },
    data,
  }) as InboundEnvelope;

interface Ledger {
  fixture: LedgerFixture;
  tree: PostgresTreeStore;
  /** The feed as it was when the checkpoint was signed. */
  feed: StoredEvent[];
  note: string;
}

/** Four people, three events each, one transaction per person; the tree built and a checkpoint signed. */
async function signedLedger(): Promise<Ledger> {
  const fixture = await openLedgerFixture();
  const tree = await PostgresTreeStore.open(fixture.pool);
  const runner = new ProjectionRunner(fixture.store, fixture.pool, new TreeProjection(tree), { batchSize: 5 });
  await runner.prepare();
  runner.start();
  const writer = fixture.writer();
  let checkpoint: string | null = null;
  for (let person = 0; person < 4; person++) {
    const ref = `webcruiter:candidate:${randomUUID()}`;
    const consent = { policyVersion: '2018-05', channel: 'web-form' };
    const result = await writer.record(
      [
        envelope(ref, 'consent.given', { purpose: 'marketing', ...consent }),
        envelope(ref, 'consent.given', { purpose: 'client-assignments', ...consent }),
        envelope(ref, 'consent.withdrawn', { purpose: 'marketing' }),
      ],
      { atomic: true },
    );
    checkpoint = result.checkpoint ?? checkpoint;
  }
  expect(await runner.waitFor(checkpoint!, 10_000)).toBe(true);
  await runner.stop();
  const feed = await fixture.store.readFeed(null, 1000);
  const size = await tree.size();
  expect(size).toBe(feed.length);
  const note = signCheckpoint({ origin: ORIGIN, size, rootHash: await tree.rootAt(size) }, signer);
  return { fixture, tree, feed, note };
}

/** What `verify --checkpoint` does: open the saved note with the verifier key, recompute, compare. */
async function verifyAgainstSaved(ledger: Ledger): Promise<ComparisonResult> {
  const head = openCheckpoint(ledger.note, signer.verifierKey, ORIGIN);
  return ledger.tree.recomputeAndCompare(eventLeavesInFeedOrder(ledger.fixture.store, 4), head);
}

/** As a superuser would: the append-only trigger off for the change, on again after it. */
async function asSuperuser(ledger: Ledger, change: (client: PoolClient) => Promise<void>): Promise<void> {
  const client = await ledger.fixture.pool.connect();
  try {
    await client.query('BEGIN');
    await client.query('ALTER TABLE ledger_events DISABLE TRIGGER USER');
    await change(client);
    await client.query('ALTER TABLE ledger_events ENABLE TRIGGER USER');
    await client.query('COMMIT');
  } finally {
    client.release();
  }
}

/** Recomputes a stream's whole chain over its rows as they now are, as an attacker covering a change would. */
async function rechain(client: PoolClient, ledger: Ledger, streamId: string): Promise<void> {
  let previous: string | null = null;
  for (const e of await ledger.fixture.store.readStream(streamId)) {
    const { rows } = await client.query<{ data: object }>(
      'SELECT data FROM ledger_events WHERE stream_id = $1 AND revision = $2',
      [streamId, e.revision],
    );
    const hash = eventHash(streamId, e.revision, { ...e, data: rows[0]!.data as Record<string, unknown> }, previous);
    await client.query(
      'UPDATE ledger_events SET hash = $3, previous_hash = $4 WHERE stream_id = $1 AND revision = $2',
      [streamId, e.revision, hash, previous],
    );
    previous = hash;
  }
}

describe('verify --checkpoint against a tampered PostgreSQL store', () => {
  const opened: Ledger[] = [];
  const open = async () => {
    const ledger = await signedLedger();
    opened.push(ledger);
    return ledger;
  };
  afterAll(async () => {
    for (const ledger of opened) await ledger.fixture.close();
  });

  it('finds the untouched store intact', async () => {
    const ledger = await open();
    expect(await verifyAgainstSaved(ledger)).toEqual({ ok: true, treeSize: 12, storedLeavesMatch: true });
  });

  it("names a stream's deleted last event", async () => {
    const ledger = await open();
    const victim = ledger.feed[5]!; // the second person's last event
    expect(victim.revision).toBe(2);
    await asSuperuser(ledger, (c) => c.query('DELETE FROM ledger_events WHERE event_id = $1', [victim.eventId]).then());
    expect(await verifyAgainstSaved(ledger)).toEqual({ ok: false, reason: 'differs', logIndex: 5 });
  });

  it('names the first event of a deleted stream, and a missing tail', async () => {
    const ledger = await open();
    const streamId = ledger.feed[9]!.streamId; // the last person's stream: the tree's last leaves go
    await asSuperuser(ledger, (c) => c.query('DELETE FROM ledger_events WHERE stream_id = $1', [streamId]).then());
    expect(await verifyAgainstSaved(ledger)).toEqual({ ok: false, reason: 'missing', logIndex: 9 });
    const middle = await open();
    const stream = middle.feed[3]!.streamId;
    await asSuperuser(middle, (c) => c.query('DELETE FROM ledger_events WHERE stream_id = $1', [stream]).then());
    expect(await verifyAgainstSaved(middle)).toEqual({ ok: false, reason: 'differs', logIndex: 3 });
  });

  it("names an event rewritten with its stream's chain recomputed", async () => {
    const ledger = await open();
    const target = ledger.feed[7]!; // the third person's second event
    await asSuperuser(ledger, async (c) => {
      await c.query(
        `UPDATE ledger_events SET data = '{"purpose":"marketing","policyVersion":"2018-05","channel":"paper"}'
                     WHERE event_id = $1`,
        [target.eventId],
      );
      await rechain(c, ledger, target.streamId);
    });
    const chain = await ledger.fixture.store.readStream(target.streamId);
    expect(chain.every((e, i) => e.hash === eventHash(e.streamId, e.revision, e, chain[i - 1]?.hash ?? null))).toBe(
      true,
    );
    expect(await verifyAgainstSaved(ledger)).toEqual({ ok: false, reason: 'differs', logIndex: 7 });
  });

  it('names an event inserted in the middle of the feed with a valid chain', async () => {
    const ledger = await open();
    const last = ledger.feed[2]!; // the first person's last event, in the first transaction
    await asSuperuser(ledger, async (c) => {
      const { rows } = await c.query<{ tx_id: string }>('SELECT tx_id::text FROM ledger_events WHERE event_id = $1', [
        last.eventId,
      ]);
      const forged = {
        ...last,
        eventId: randomUUID(),
        type: 'consent.withdrawn',
        data: { purpose: 'client-assignments' },
      };
      const hash = eventHash(last.streamId, 3, forged, last.hash);
      await c.query(
        `INSERT INTO ledger_events (position, tx_id, stream_id, revision, event_id, type, data, personal, meta,
                                    recorded_at, hash, previous_hash)
         OVERRIDING SYSTEM VALUE
         VALUES ((SELECT max(position) + 1 FROM ledger_events), $1::xid8, $2, 3, $3, $4, $5, NULL, $6, $7, $8, $9)`,
        [
          rows[0]!.tx_id,
          last.streamId,
          forged.eventId,
          forged.type,
          forged.data,
          forged.meta,
          last.recordedAt,
          hash,
          last.hash,
        ],
      );
    });
    const after = await ledger.fixture.store.readFeed(null, 1000);
    expect(after.map((e) => e.revision).slice(0, 4)).toEqual([0, 1, 2, 3]);
    expect(await verifyAgainstSaved(ledger)).toEqual({ ok: false, reason: 'differs', logIndex: 3 });
  });
});
