import type { Keyring, LiveKey, NewKey } from '#ledger/crypto';
import type { SubjectDecisions } from './batch-decisions';
import { keyNeedsOf, type KeyNeed } from './subject-sealer';

/** Every key a batch seals with, and what its erasures read of the keys before them. */
export interface SettledKeys {
  keyOf(subjectId: string, need: KeyNeed): LiveKey;
  /** Each erasing subject's live keys, read afresh: what its erasure names and destroys. */
  readonly atErasure: ReadonlyMap<string, LiveKey[]>;
  /** The read `atErasure` came from: keys made after it are not the erasure's to destroy. */
  readonly asOf: string | null;
}

type SubjectKeyWork = Pick<SubjectDecisions, 'subjectId' | 'before' | 'decisions'>;

const eventsOf = (work: SubjectKeyWork) => work.decisions.flatMap((d) => d.events);
const slot = (subjectId: string, category: string, epoch: number) => `${subjectId}/${category}/${epoch}`;

/**
 * The keys every subject's new events need, settled before anything is sealed: first the keys
 * named by erasures already recorded but left alive (a crash before shredding) are destroyed;
 * then each category's current key, made if missing; then, for a subject the batch erases, every
 * live key read afresh; then the keys of values collected after an erasure in the batch, each
 * retiring the key before it. `created` receives every key made.
 */
export async function settleKeys(
  keyring: Keyring,
  work: readonly SubjectKeyWork[],
  { minted, created }: { minted: ReadonlySet<string>; created: NewKey[] },
): Promise<SettledKeys> {
  await destroyLeftovers(
    keyring,
    work.filter((w) => !minted.has(w.subjectId) && w.before.retiredKeyIds.length > 0),
  );
  const needs = new Map(work.map((w) => [w.subjectId, keyNeedsOf(eventsOf(w))]));
  const byEpoch = new Map<string, LiveKey>();
  const wanted = (epoch: number) =>
    [...needs].flatMap(([subjectId, n]) =>
      n.filter((need) => need.epoch === epoch).map(({ category }) => ({ subjectId, category })),
    );
  const settle = async (epoch: number, retire: string[] = []) => {
    const { keys, created: made } = await keyring.sealingKeys(wanted(epoch), { retire, minted });
    created.push(...made);
    for (const [at, key] of keys) byEpoch.set(`${at}/${epoch}`, key);
  };
  await settle(0);
  const erasing = work
    .filter((w) => eventsOf(w).some((event) => event.type === 'erasure.completed'))
    .map((w) => w.subjectId);
  const atErasure = erasing.length > 0 ? await keyring.keysAtErasure(erasing) : null;
  const lastEpoch = Math.max(0, ...[...needs.values()].flatMap((n) => n.map((need) => need.epoch)));
  for (let epoch = 1; epoch <= lastEpoch; epoch += 1) {
    // The key before: the batch's latest for the category, else the one the store held.
    const retire = wanted(epoch).flatMap(({ subjectId, category }) => {
      let before: LiveKey | undefined;
      for (let e = epoch - 1; e >= 0 && !before; e -= 1) before = byEpoch.get(slot(subjectId, category, e));
      before ??= atErasure?.keys.get(subjectId)?.find((k) => k.category === category && !k.retired);
      return before ? [before.keyId] : [];
    });
    await settle(epoch, retire);
  }
  return {
    keyOf: (subjectId, need) => byEpoch.get(slot(subjectId, need.category, need.epoch))!,
    atErasure: atErasure?.keys ?? new Map<string, LiveKey[]>(),
    asOf: atErasure?.asOf ?? null,
  };
}

/** Keys that recorded erasures retired but a crash left alive: destroyed before anything is sealed. */
async function destroyLeftovers(keyring: Keyring, retiring: readonly SubjectKeyWork[]): Promise<void> {
  if (retiring.length === 0) return;
  const live = await keyring.liveKeys(retiring.map((w) => w.subjectId));
  const leftovers = retiring.flatMap((w) =>
    live
      .get(w.subjectId)!
      .filter((k) => w.before.retiredKeyIds.includes(k.keyId))
      .map((k) => k.keyId),
  );
  if (leftovers.length > 0) await keyring.destroyKeys(leftovers);
}
