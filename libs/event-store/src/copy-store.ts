import type { EventStore, StoredEvent, StreamAppend, StreamHead } from './event-store.port';
import { NO_STREAM } from './event-store.port';
import { verifyChain, type BrokenLink } from './hash-chain';

export interface CopyReport {
  readonly events: number;
  readonly skipped: number;
  readonly streams: number;
}

/** What the copy knows of the target: each stream's head, and the hashes of the events it held already. */
interface TargetStreams {
  readonly heads: Map<string, StreamHead>;
  readonly existingHashes: Map<string, string>;
}

/** The events of a page to append, by stream, after the head each was expected at. */
type PagePlan = Map<string, { expected: StreamHead; events: StoredEvent[] }>;

/** Reads from the target the streams of the page it has not seen yet. */
async function learnStreams(target: EventStore, known: TargetStreams, page: readonly StoredEvent[]): Promise<void> {
  const unknown = [...new Set(page.map((e) => e.streamId))].filter((id) => !known.heads.has(id));
  const existing = await target.readStreams(unknown);
  for (const id of unknown) {
    const events = existing.get(id) ?? [];
    const last = events[events.length - 1];
    known.heads.set(id, last ? { revision: last.revision, hash: last.hash } : NO_STREAM);
    for (const e of events) known.existingHashes.set(`${id}/${e.revision}`, e.hash);
  }
}

/** The page's events the target lacks, by stream; those it has must match the source, and are counted. */
function planPage(known: TargetStreams, page: readonly StoredEvent[]): { plan: PagePlan; skipped: number } {
  const plan: PagePlan = new Map();
  let skipped = 0;
  for (const event of page) {
    const head = known.heads.get(event.streamId)!;
    if (event.revision <= head.revision) {
      if (known.existingHashes.get(`${event.streamId}/${event.revision}`) !== event.hash) {
        throw new Error(`copy: the target's ${event.streamId} revision ${event.revision} differs from the source`);
      }
      skipped += 1;
      continue;
    }
    const append = plan.get(event.streamId) ?? { expected: head, events: [] };
    append.events.push(event);
    plan.set(event.streamId, append);
    known.heads.set(event.streamId, { revision: event.revision, hash: event.hash });
  }
  return { plan, skipped };
}

/** Appends the plan in one atomic append; every event must hash in the target as it did in the source. */
async function appendVerified(target: EventStore, plan: PagePlan): Promise<number> {
  const batch: StreamAppend[] = [...plan].map(([streamId, a]) => ({
    streamId,
    expected: a.expected,
    events: a.events.map(({ eventId, type, data, personal, meta, recordedAt }) => ({
      eventId,
      type,
      data,
      personal,
      meta,
      recordedAt,
    })),
  }));
  if (batch.length === 0) return 0;
  const result = await target.append(batch);
  const sourceHashes = batch.flatMap((b) => plan.get(b.streamId)!.events.map((e) => e.hash));
  result.events.forEach((e, i) => {
    if (e.hash !== sourceHashes[i])
      throw new Error(`copy: ${e.streamId} revision ${e.revision} hashed differently in the target`);
  });
  return result.events.length;
}

/**
 * Copies every stream from one store to another, a page of the source's feed at a time (each page
 * one atomic append, stream by stream), keeping each stream's order, event ids, revisions and
 * hashes. The target recomputes every hash from the content, so a copy that came out different
 * fails at once. Resumable: events the target already has are checked against the source and
 * skipped.
 */
export async function copyStore(
  source: EventStore,
  target: EventStore,
  options: { pageSize?: number; onProgress?: (copied: number) => void } = {},
): Promise<CopyReport> {
  const known: TargetStreams = { heads: new Map(), existingHashes: new Map() };
  let checkpoint: string | null = null;
  let copied = 0;
  let skipped = 0;
  for (;;) {
    const page: StoredEvent[] = await source.readFeed(checkpoint, options.pageSize ?? 2000);
    if (page.length === 0) break;
    checkpoint = page[page.length - 1]!.checkpoint;
    await learnStreams(target, known, page);
    const planned = planPage(known, page);
    skipped += planned.skipped;
    copied += await appendVerified(target, planned.plan);
    options.onProgress?.(copied + skipped);
  }
  return { events: copied, skipped, streams: known.heads.size };
}

/** Every stream's chain in a store; the first broken link of each broken stream. */
export async function verifyStore(
  store: EventStore,
  onProgress?: (streams: number) => void,
): Promise<{ streams: number; events: number; broken: BrokenLink[] }> {
  let streams = 0;
  let events = 0;
  const broken: BrokenLink[] = [];
  let batch: string[] = [];
  const check = async () => {
    const read = await store.readStreams(batch);
    for (const id of batch) {
      const stream = read.get(id) ?? [];
      events += stream.length;
      const link = verifyChain(stream);
      if (link) broken.push(link);
    }
    streams += batch.length;
    batch = [];
    onProgress?.(streams);
  };
  for await (const id of store.streams()) {
    batch.push(id);
    if (batch.length >= 500) await check();
  }
  if (batch.length > 0) await check();
  return { streams, events, broken };
}
