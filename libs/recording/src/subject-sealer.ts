import type { ErasureCompletedEvent, SubjectEvent } from '#ledger/domain';
import { categoriesOf, sealPersonal, toSubjectKeys, type LiveKey } from '#ledger/crypto';
import type { SealedEvent } from './stored-subject-events';

/**
 * A category's key epoch at a point of a batch: how many erasures of the category came before
 * it. A value collected after an erasure gets a key of its own, which that erasure does not destroy.
 */
export interface KeyNeed {
  readonly category: string;
  readonly epoch: number;
}

/** The store holds no personal values as null, not as an empty object. */
const orNull = (personal: Readonly<Record<string, unknown>>) => (Object.keys(personal).length > 0 ? personal : null);

const covers = (erasure: ErasureCompletedEvent, category: string) =>
  erasure.data.scope === 'all' || erasure.data.categories.includes(category);

/** The keys one subject's new events need, in order: each category at each epoch once. */
export function keyNeedsOf(events: readonly SubjectEvent[]): KeyNeed[] {
  const erasures: ErasureCompletedEvent[] = [];
  const needs = new Map<string, KeyNeed>();
  for (const event of events) {
    if (event.type === 'erasure.completed') {
      erasures.push(event);
      continue;
    }
    for (const category of categoriesOf(event.personal as Readonly<Record<string, unknown>>)) {
      const epoch = erasures.filter((e) => covers(e, category)).length;
      needs.set(`${category}/${epoch}`, { category, epoch });
    }
  }
  return [...needs.values()];
}

export interface SealedSubject {
  /** Per group of events given, in order: every personal value sealed, each erasure beside the keys it names. */
  readonly sealed: ReadonlyArray<readonly SealedEvent[]>;
  /** What the batch's erasures destroy once the append is durable; null when it erases nothing. */
  readonly erasing: { readonly categories: readonly string[] | null; readonly keepKids: readonly string[] } | null;
}

/**
 * Seals one subject's new events (grouped by envelope), in order, with keys settled before
 * (`keyOf` answers every need of `keyNeedsOf`). An erasure names every live key of its
 * categories: `live`, read from the store when the batch erases, and the batch's own keys made
 * before it. The events stay as decided.
 */
export function sealSubjectEvents(
  subjectId: string,
  groups: ReadonlyArray<readonly SubjectEvent[]>,
  keyOf: (need: KeyNeed) => LiveKey,
  live: readonly LiveKey[],
): SealedSubject {
  const erasures: ErasureCompletedEvent[] = [];
  const unnamed = new Map(live.map((k) => [k.keyId, k]));
  const sealOne = (event: SubjectEvent): SealedEvent => {
    if (event.type === 'erasure.completed') {
      const keyIds = [...unnamed.values()].filter((k) => covers(event, k.category)).map((k) => k.keyId);
      keyIds.forEach((id) => unnamed.delete(id));
      erasures.push(event);
      return { event, personal: orNull(event.personal), keyIds };
    }
    const personal = event.personal as Readonly<Record<string, unknown>>;
    const needed = categoriesOf(personal);
    if (needed.size === 0) return { event, personal: orNull(personal), keyIds: null };
    const keys = [...needed].map((category) =>
      keyOf({ category, epoch: erasures.filter((e) => covers(e, category)).length }),
    );
    keys.forEach((k) => unnamed.set(k.keyId, k));
    return { event, personal: orNull(sealPersonal(subjectId, personal, toSubjectKeys(keys))), keyIds: null };
  };
  const sealed = groups.map((events) => events.map(sealOne));
  return { sealed, erasing: erasures.length === 0 ? null : erasingOf(groups.flat(), erasures, keyOf) };
}

function erasingOf(
  events: readonly SubjectEvent[],
  erasures: readonly ErasureCompletedEvent[],
  keyOf: (need: KeyNeed) => LiveKey,
) {
  const categories = erasures.some((e) => e.data.scope === 'all')
    ? null
    : [...new Set(erasures.flatMap((e) => e.data.categories))];
  // Keys of a category's last epoch seal values collected after its last erasure: they stay.
  const keepKids = keyNeedsOf(events)
    .filter((n) => n.epoch > 0 && n.epoch === erasures.filter((e) => covers(e, n.category)).length)
    .map((n) => keyOf(n).kid);
  return { categories, keepKids };
}
