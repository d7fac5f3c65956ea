import { uuidv7 } from '#ledger/common';
import type { EventStore } from '#ledger/event-store';
import type { BatchOutcomes } from './batch-outcomes';
import type { DecisionStates, Loaded } from './decision-states';
import type { FreshEnvelope } from './envelope-dedupe';
import { IdReusedError } from './errors';
import type { SubjectDirectory } from './subject-directory/subject-directory';

/** A fresh envelope and the subject it is about. */
export interface Addressed extends FreshEnvelope {
  readonly subjectId: string;
}

/**
 * Subjects by id as given, by ref through the directory (claiming new refs). `minted`: ids made
 * here and claimed by this call, new persons with no stream and no keys to load.
 */
export async function resolveSubjects(
  fresh: readonly FreshEnvelope[],
  directory: SubjectDirectory,
): Promise<{ addressed: Addressed[]; minted: Set<string> }> {
  const refs = fresh.map((f) => f.envelope.subject.ref).filter((r): r is string => r !== undefined);
  const minted = new Set<string>();
  const mint = () => {
    const id = uuidv7();
    minted.add(id);
    return id;
  };
  const byRef = refs.length > 0 ? await directory.resolve(refs, mint) : new Map<string, string>();
  const addressed = fresh.map((f) => ({
    ...f,
    subjectId: f.envelope.subject.id ?? byRef.get(f.envelope.subject.ref!)!,
  }));
  return { addressed, minted };
}

/**
 * A ref still pointing at an erased subject (a forget cut short by a crash) starts anew: it moves
 * to a new subject, loaded into `loaded`.
 */
export async function startErasedRefsAnew(
  addressed: readonly Addressed[],
  loaded: Map<string, Loaded>,
  { directory, states }: { directory: SubjectDirectory; states: DecisionStates },
): Promise<Addressed[]> {
  const moved = new Map<string, string>();
  const result: Addressed[] = [];
  for (const item of addressed) {
    const ref = item.envelope.subject.ref;
    if (ref === undefined || !loaded.get(item.subjectId)!.state.erased) {
      result.push(item);
      continue;
    }
    let next = moved.get(ref);
    if (next === undefined) {
      next = await directory.reassign(ref, item.subjectId, uuidv7());
      moved.set(ref, next);
      if (!loaded.has(next)) loaded.set(next, (await states.load([next])).get(next)!);
    }
    result.push({ ...item, subjectId: next });
  }
  return result;
}

/**
 * A store whose envelope index may lag (KurrentDB): the subject's own stream has the final word on
 * what it recorded. The envelopes it already holds are settled here and left out.
 */
export function dropSeenInStreams(
  addressed: readonly Addressed[],
  loaded: ReadonlyMap<string, Loaded>,
  store: EventStore,
  outcomes: BatchOutcomes,
): Addressed[] {
  if (store.globallyIdempotent) return [...addressed];
  return addressed.filter(({ index, envelope, hash, subjectId }) => {
    const seen = loaded.get(subjectId)!.envelopes?.get(envelope.id);
    if (seen === undefined) return true;
    if (seen !== hash) outcomes.reject(index, new IdReusedError(envelope.id));
    else outcomes.duplicate(index, subjectId);
    return false;
  });
}
