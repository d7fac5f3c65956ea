import { randomUUID } from 'node:crypto';
import { ConcurrencyError } from '../errors';
import {
  NO_STREAM,
  type EventStore,
  type FeedHead,
  type NewEvent,
  type StoredEvent,
  type StreamAppend,
} from '../event-store.port';
import { verifyChain } from '../hash-chain';

export const newEvent = (type = 'data.used', overrides: Partial<NewEvent> = {}): NewEvent => {
  const eventId = randomUUID();
  return {
    eventId,
    type,
    data: { purpose: 'security', fields: ['contact.email'] },
    personal: { description: 'checked identity' },
    meta: {
      envelopeId: eventId,
      envelopeHash: 'h',
      occurredAt: '2026-11-20T10:15:00Z',
      source: 'contract-test',
      correlationId: eventId,
      causationId: eventId,
    },
    recordedAt: new Date().toISOString(),
    ...overrides,
  };
};

const stream = () => `subject-${randomUUID()}`;

/** One stream: appended, continued from its head, refused from any other. */
function streamContract(storeOf: () => EventStore): void {
  let store: EventStore;
  beforeAll(() => {
    store = storeOf();
  });

  it('appends to a new stream and reads it back in order, revisions from 0, chain intact', async () => {
    const id = stream();
    const events = [newEvent(), newEvent('consent.given'), newEvent('data.collected')];
    const result = await store.append([{ streamId: id, expected: NO_STREAM, events }]);
    const read = await store.readStream(id);
    expect(read.map((e) => [e.revision, e.eventId, e.type])).toEqual(events.map((e, i) => [i, e.eventId, e.type]));
    expect(read.map((e) => e.personal)).toEqual(events.map((e) => e.personal));
    // What the append answers is what a reader gets back, every field (the checkpoint aside: an
    // adapter may answer the batch's position where a read gives each event's own).
    const withoutCheckpoint = ({ checkpoint: _, ...event }: StoredEvent) => event;
    expect(result.events.map(withoutCheckpoint)).toEqual(read.map(withoutCheckpoint));
    expect(verifyChain(read)).toBeNull();
    expect(read[0]!.previousHash).toBeNull();
    expect(read[1]!.previousHash).toBe(read[0]!.hash);
  });

  it('continues a stream from the head the writer saw', async () => {
    const id = stream();
    const first = await store.append([{ streamId: id, expected: NO_STREAM, events: [newEvent()] }]);
    const head = first.events[0]!;
    await store.append([
      { streamId: id, expected: { revision: head.revision, hash: head.hash }, events: [newEvent(), newEvent()] },
    ]);
    const read = await store.readStream(id);
    expect(read.map((e) => e.revision)).toEqual([0, 1, 2]);
    expect(verifyChain(read)).toBeNull();
  });

  it('refuses an append from a stale head and writes nothing', async () => {
    const id = stream();
    const first = await store.append([{ streamId: id, expected: NO_STREAM, events: [newEvent()] }]);
    const head = { revision: 0, hash: first.events[0]!.hash };
    await store.append([{ streamId: id, expected: head, events: [newEvent()] }]);
    await expect(store.append([{ streamId: id, expected: head, events: [newEvent()] }])).rejects.toBeInstanceOf(
      ConcurrencyError,
    );
    await expect(store.append([{ streamId: id, expected: NO_STREAM, events: [newEvent()] }])).rejects.toBeInstanceOf(
      ConcurrencyError,
    );
    expect((await store.readStream(id)).map((e) => e.revision)).toEqual([0, 1]);
  });

  it('refuses a head that claims a revision the stream does not have', async () => {
    const id = stream();
    await store.append([{ streamId: id, expected: NO_STREAM, events: [newEvent()] }]);
    await expect(
      store.append([{ streamId: id, expected: { revision: 4, hash: 'x' }, events: [newEvent()] }]),
    ).rejects.toBeInstanceOf(ConcurrencyError);
    expect(await store.readStream(id)).toHaveLength(1);
  });
}

/** Several streams at once, concurrent writers and event ids: all or nothing, each once. */
function atomicityContract(storeOf: () => EventStore): void {
  let store: EventStore;
  beforeAll(() => {
    store = storeOf();
  });

  it('appends several streams all or nothing', async () => {
    const [a, b, c] = [stream(), stream(), stream()];
    await store.append([{ streamId: c, expected: NO_STREAM, events: [newEvent()] }]);
    const batch: StreamAppend[] = [
      { streamId: a, expected: NO_STREAM, events: [newEvent()] },
      { streamId: b, expected: NO_STREAM, events: [newEvent(), newEvent()] },
      { streamId: c, expected: NO_STREAM, events: [newEvent()] },
    ];
    await expect(store.append(batch)).rejects.toBeInstanceOf(ConcurrencyError);
    const read = await store.readStreams([a, b, c]);
    expect([read.get(a), read.get(b), read.get(c)?.length]).toEqual([undefined, undefined, 1]);
    await store.append(batch.slice(0, 2));
    const again = await store.readStreams([a, b]);
    expect([again.get(a)?.length, again.get(b)?.length]).toEqual([1, 2]);
  });

  it('lets exactly one of two concurrent writers of the same revision win', async () => {
    const id = stream();
    const outcomes = await Promise.allSettled(
      Array.from({ length: 5 }, () => store.append([{ streamId: id, expected: NO_STREAM, events: [newEvent()] }])),
    );
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
    for (const o of outcomes) if (o.status === 'rejected') expect(o.reason).toBeInstanceOf(ConcurrencyError);
    expect(await store.readStream(id)).toHaveLength(1);
  });

  it('never records one event id twice', async () => {
    const event = newEvent();
    await store.append([{ streamId: stream(), expected: NO_STREAM, events: [event] }]);
    await expect(store.append([{ streamId: stream(), expected: NO_STREAM, events: [event] }])).rejects.toBeInstanceOf(
      ConcurrencyError,
    );
    expect(await store.findEnvelopes([event.eventId])).toEqual([
      expect.objectContaining({ envelopeId: event.eventId, envelopeHash: 'h' }),
    ]);
  });

  it('refuses an event id in capitals, which would be stored under a hash that does not verify', async () => {
    const id = stream();
    const event = newEvent();
    await expect(
      store.append([
        { streamId: id, expected: NO_STREAM, events: [{ ...event, eventId: event.eventId.toUpperCase() }] },
      ]),
    ).rejects.toThrow(/not a lowercase UUID/);
    expect(await store.readStream(id)).toEqual([]);
  });
}

/** Reading across streams: their heads, the feed in commit order, the list of streams. */
function readingContract(storeOf: () => EventStore): void {
  let store: EventStore;
  beforeAll(() => {
    store = storeOf();
  });

  it('gives the last revision of each stream that exists', async () => {
    const [a, b, missing] = [stream(), stream(), stream()];
    await store.append([
      { streamId: a, expected: NO_STREAM, events: [newEvent()] },
      { streamId: b, expected: NO_STREAM, events: [newEvent(), newEvent(), newEvent()] },
    ]);
    const revisions = await store.streamRevisions([a, b, missing]);
    expect([...revisions].sort()).toEqual(
      [
        [a, 0],
        [b, 2],
      ].sort(),
    );
    expect(await store.streamRevisions([])).toEqual(new Map());
  });

  it('feeds every event once, in commit order, from any checkpoint', async () => {
    const start = await lastCheckpoint(store);
    const ids = [stream(), stream()];
    const written = [newEvent(), newEvent(), newEvent()];
    await store.append([{ streamId: ids[0]!, expected: NO_STREAM, events: written.slice(0, 2) }]);
    await store.append([{ streamId: ids[1]!, expected: NO_STREAM, events: written.slice(2) }]);
    const seen: string[] = [];
    let checkpoint = start;
    for (;;) {
      const page = await store.readFeed(checkpoint, 2);
      if (page.length === 0) break;
      for (const e of page) {
        expect(store.compare(e.checkpoint, checkpoint)).toBeGreaterThan(0);
        seen.push(e.eventId);
        checkpoint = e.checkpoint;
      }
    }
    expect(seen).toEqual(written.map((e) => e.eventId));
  });

  it('puts a large append on the feed in append order, each stream by revision', async () => {
    const start = await lastCheckpoint(store);
    const [a, b] = [stream(), stream()];
    const events = Array.from({ length: 60 }, () => newEvent());
    await store.append([
      { streamId: a, expected: NO_STREAM, events: events.slice(0, 30) },
      { streamId: b, expected: NO_STREAM, events: events.slice(30) },
    ]);
    const fed = await store.readFeed(start, 1000);
    expect(fed.map((e) => e.eventId)).toEqual(events.map((e) => e.eventId));
    expect(fed.filter((e) => e.streamId === a).map((e) => e.revision)).toEqual(Array.from({ length: 30 }, (_, i) => i));
  });

  it('gives the same feed as heads, where it reads heads: ids, hashes and checkpoints', async () => {
    const start = await lastCheckpoint(store);
    await store.append([{ streamId: stream(), expected: NO_STREAM, events: [newEvent(), newEvent(), newEvent()] }]);
    const headOf = (e: FeedHead): FeedHead => ({ eventId: e.eventId, hash: e.hash, checkpoint: e.checkpoint });
    const heads = (after: string | null, limit: number) =>
      store.readFeedHeads ? store.readFeedHeads(after, limit) : store.readFeed(after, limit).then((p) => p.map(headOf));
    const full = await store.readFeed(start, 2);
    const firstPage = await heads(start, 2);
    expect(firstPage).toEqual(full.map(headOf));
    const secondPage = await heads(firstPage[1]!.checkpoint, 10);
    expect(secondPage).toEqual((await store.readFeed(full[1]!.checkpoint, 10)).map(headOf));
    expect(secondPage).toHaveLength(1);
  });

  it('lists its streams', async () => {
    const id = stream();
    await store.append([{ streamId: id, expected: NO_STREAM, events: [newEvent(), newEvent()] }]);
    const all: string[] = [];
    for await (const streamId of store.streams()) all.push(streamId);
    expect(all.filter((s) => s === id)).toHaveLength(1);
    expect(new Set(all).size).toBe(all.length);
  });
}

/**
 * The behaviour every event store adapter must show. Each adapter's integration spec calls this
 * with a factory for a fresh, empty store.
 */
export function eventStoreContract(open: () => Promise<EventStore>): void {
  let store: EventStore;
  beforeAll(async () => {
    store = await open();
  });
  afterAll(async () => {
    await store?.close();
  });
  // The groups take the store once it is open: their hooks run after this one.
  streamContract(() => store);
  atomicityContract(() => store);
  readingContract(() => store);
}

/** The checkpoint after everything in the store now. */
export async function lastCheckpoint(store: EventStore): Promise<string | null> {
  let checkpoint: string | null = null;
  for (;;) {
    const page = await store.readFeed(checkpoint, 1000);
    if (page.length === 0) return checkpoint;
    checkpoint = page[page.length - 1]!.checkpoint;
  }
}
