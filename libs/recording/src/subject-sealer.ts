import type { SubjectEvent } from '#ledger/domain';
import { categoriesOf, sealPersonal, toSubjectKeys, type LiveKey } from '#ledger/crypto';

export interface NewKey extends LiveKey {
  readonly subjectId: string;
}

export interface SealedSubject {
  /** The events with every personal value sealed and erasures naming the keys they destroy. */
  readonly sealed: SubjectEvent[];
  /** The same events in clear (for the decision state), erasures naming their keys. */
  readonly plain: SubjectEvent[];
  readonly newKeys: NewKey[];
  /** Keys to destroy once the append is durable: those the erasures name, and retired ones left alive. */
  readonly destroy: string[];
}

/**
 * Seals one subject's new events, in order, with its data keys: the newest live key of each
 * category, never one an erasure retired. An erasure takes the keys of its categories out of use
 * at its place in the sequence, so a value collected after it (even in the same batch) gets a key
 * of its own that the erasure does not destroy.
 */
export function sealSubjectEvents(
  subjectId: string,
  events: readonly SubjectEvent[],
  live: readonly LiveKey[],
  retiredKeyIds: ReadonlySet<string>,
  newKey: (subjectId: string, category: string) => NewKey,
): SealedSubject {
  const active = new Map<string, LiveKey>();
  const destroy: string[] = [];
  for (const key of live) {
    if (retiredKeyIds.has(key.keyId)) destroy.push(key.keyId);
    else active.set(key.category, key);
  }
  const newKeys: NewKey[] = [];
  const plain: SubjectEvent[] = [];
  const sealed: SubjectEvent[] = [];
  for (const event of events) {
    if (event.type === 'erasure.completed') {
      const scope = event.data.scope === 'all' ? [...active.keys()] : event.data.categories;
      const keyIds = scope.flatMap((c) => (active.has(c) ? [active.get(c)!.keyId] : []));
      scope.forEach((c) => active.delete(c));
      destroy.push(...keyIds);
      const named: SubjectEvent = { ...event, data: { ...event.data, keyIds } };
      plain.push(named);
      sealed.push(named);
      continue;
    }
    const personal = event.personal as Readonly<Record<string, unknown>>;
    const needed = categoriesOf(personal);
    if (needed.size === 0) {
      plain.push(event);
      sealed.push(event);
      continue;
    }
    for (const category of needed) {
      if (!active.has(category)) {
        const key = newKey(subjectId, category);
        newKeys.push(key);
        active.set(category, key);
      }
    }
    plain.push(event);
    sealed.push({ ...event, personal: sealPersonal(subjectId, personal, toSubjectKeys([...active.values()])) } as SubjectEvent);
  }
  return { sealed, plain, newKeys, destroy };
}

