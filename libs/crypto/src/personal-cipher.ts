import { categoryOf } from '#ledger/domain';
import { openAesGcm } from './aes-gcm';
import { open, seal } from './xchacha';

/**
 * The category whose key protects a personal value. Field values (`values.<category>.<name>`)
 * use their category's key, so erasing one category shreds exactly those values; every other
 * personal value (a ref, consent evidence, objection grounds, a free-text reason) uses the
 * `subject` key, destroyed with the whole person.
 */
export const SUBJECT_CATEGORY = 'subject';

/** The place of an access-log reason: sealed with the person's `subject` key, bound to the log. */
export const ACCESS_REASON_PLACE = 'access-reason';

/** Sealed with XChaCha20-Poly1305, bound to the subject, the key and the place of the value. */
const PREFIX = 'enc:v3:';
/** Sealed with XChaCha20-Poly1305, bound to subject and key only: still opened, never written. */
const V2_PREFIX = 'enc:v2:';
/** Sealed with AES-256-GCM, bound to subject and key only: still opened, never written. */
const V1_PREFIX = 'enc:v1:';

/** A data key as used: its short id (`kid`, in every value it seals) and its bytes. */
export interface DataKey {
  readonly kid: string;
  readonly key: Buffer;
}

/** One subject's keys: the active key per category (to seal), every live key by kid (to open). */
export interface SubjectKeys {
  readonly active: ReadonlyMap<string, DataKey>;
  readonly byKid: ReadonlyMap<string, Buffer>;
}

/**
 * A v3 value that does not open where it was read: moved (say, two fields' values swapped in a
 * read model) or altered. Names the subject and the place only, never a value.
 */
export class SealedValueMisplaced extends Error {
  readonly code = 'SEALED_VALUE_MISPLACED';
  constructor(
    readonly subjectId: string,
    readonly place: string,
  ) {
    super(`a sealed value of subject ${subjectId} does not open at ${place}: it was moved or altered`);
    this.name = 'SealedValueMisplaced';
  }
}

export const isSealed = (value: unknown): value is string =>
  typeof value === 'string' && (value.startsWith(PREFIX) || value.startsWith(V2_PREFIX) || value.startsWith(V1_PREFIX));

const aadOf = (subjectId: string, kid: string) => `${subjectId}/${kid}`;
// The place last: a field key or a property name never holds a slash, so no two places collide.
const placedAadOf = (subjectId: string, kid: string, place: string) => `${subjectId}/${kid}/${place}`;

/**
 * `enc:v3:<kid>:<base64url(nonce | ciphertext | tag)>`: the key id travels with the value, and
 * the value opens only at its `place` (a field key, or the name of the personal property).
 */
export function sealValue(subjectId: string, dataKey: DataKey, value: string, place: string): string {
  const body = seal(dataKey.key, Buffer.from(value, 'utf8'), placedAadOf(subjectId, dataKey.kid, place));
  return `${PREFIX}${dataKey.kid}:${body.toString('base64url')}`;
}

/**
 * The plaintext, or null when its key is gone (destroyed by erasure): a shredded value. A v3
 * value read at another place than its own throws SealedValueMisplaced.
 */
export function openValue(subjectId: string, sealed: string, keys: SubjectKeys, place: string): string | null {
  const colon = sealed.indexOf(':', PREFIX.length); // every prefix is of one length
  const kid = sealed.slice(PREFIX.length, colon);
  const key = keys.byKid.get(kid);
  if (!key) return null;
  const body = Buffer.from(sealed.slice(colon + 1), 'base64url');
  if (sealed.startsWith(PREFIX)) {
    try {
      return open(key, body, placedAadOf(subjectId, kid, place)).toString('utf8');
    } catch {
      throw new SealedValueMisplaced(subjectId, place);
    }
  }
  const opened = sealed.startsWith(V2_PREFIX)
    ? open(key, body, aadOf(subjectId, kid))
    : openAesGcm(key, body, aadOf(subjectId, kid));
  return opened.toString('utf8');
}

/** The categories whose keys an event's personal part needs. */
export function categoriesOf(personal: Readonly<Record<string, unknown>>): Set<string> {
  const categories = new Set<string>();
  for (const [name, value] of Object.entries(personal)) {
    if (name === 'values' && value && typeof value === 'object') {
      for (const key of Object.keys(value)) categories.add(categoryOf(key));
    } else if (value !== undefined) {
      categories.add(SUBJECT_CATEGORY);
    }
  }
  return categories;
}

/** Seals every value of a personal part, keeping its shape (field keys stay readable). */
export function sealPersonal(
  subjectId: string,
  personal: Readonly<Record<string, unknown>>,
  keys: SubjectKeys,
): Record<string, unknown> {
  const keyOf = (category: string) => {
    const key = keys.active.get(category);
    if (!key) throw new Error(`no active ${category} key for subject ${subjectId}`);
    return key;
  };
  const sealed: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(personal)) {
    if (value === undefined) continue;
    if (name === 'values' && value && typeof value === 'object') {
      const values: Record<string, string> = {};
      for (const [field, v] of Object.entries(value as Record<string, string>)) {
        values[field] = sealValue(subjectId, keyOf(categoryOf(field)), v, field);
      }
      sealed[name] = values;
    } else {
      sealed[name] = sealValue(subjectId, keyOf(SUBJECT_CATEGORY), String(value), name);
    }
  }
  return sealed;
}

/** Where a sealed value sits, by its path from the root of the structure that holds it. */
export type PlaceOf = (path: readonly string[]) => string;

/** The places of an event's personal part, as `sealPersonal` sealed them. */
export const placeInPersonal: PlaceOf = (path) => (path[0] === 'values' ? path[1]! : path[0]!);

/** Opens every sealed string anywhere in `value` at the place `placeOf` names (null where the key is gone). */
export function openDeep<T>(
  subjectId: string,
  value: T,
  keys: SubjectKeys,
  placeOf: PlaceOf,
  path: readonly string[] = [],
): T {
  if (isSealed(value)) return openValue(subjectId, value, keys, placeOf(path)) as T;
  if (Array.isArray(value))
    return value.map((v, i) => openDeep(subjectId, v, keys, placeOf, [...path, String(i)])) as T;
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, openDeep(subjectId, v, keys, placeOf, [...path, k])]),
    ) as T;
  }
  return value;
}

/** The kids of every sealed string anywhere in `value`: the keys it needs. */
export function kidsIn(value: unknown, into: Set<string> = new Set()): Set<string> {
  if (isSealed(value)) into.add(value.slice(PREFIX.length, value.indexOf(':', PREFIX.length)));
  else if (value && typeof value === 'object') for (const v of Object.values(value)) kidsIn(v, into);
  return into;
}
