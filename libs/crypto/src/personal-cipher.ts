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

/** Sealed with XChaCha20-Poly1305, since 2026-11-30. */
const PREFIX = 'enc:v2:';
/** Sealed with AES-256-GCM, before: still opened, never written. */
const LEGACY_PREFIX = 'enc:v1:';

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

export const isSealed = (value: unknown): value is string =>
  typeof value === 'string' && (value.startsWith(PREFIX) || value.startsWith(LEGACY_PREFIX));

const aadOf = (subjectId: string, kid: string) => `${subjectId}/${kid}`;

/** `enc:v2:<kid>:<base64url(nonce | ciphertext | tag)>`: the key id travels with the value. */
export function sealValue(subjectId: string, dataKey: DataKey, value: string): string {
  const body = seal(dataKey.key, Buffer.from(value, 'utf8'), aadOf(subjectId, dataKey.kid));
  return `${PREFIX}${dataKey.kid}:${body.toString('base64url')}`;
}

/** The plaintext, or null when its key is gone (destroyed by erasure): a shredded value. */
export function openValue(subjectId: string, sealed: string, keys: SubjectKeys): string | null {
  const colon = sealed.indexOf(':', PREFIX.length); // enc:v1: and enc:v2: are of one length
  const kid = sealed.slice(PREFIX.length, colon);
  const key = keys.byKid.get(kid);
  if (!key) return null;
  const body = Buffer.from(sealed.slice(colon + 1), 'base64url');
  const opened = sealed.startsWith(PREFIX) ? open(key, body, aadOf(subjectId, kid)) : openAesGcm(key, body, aadOf(subjectId, kid));
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
export function sealPersonal(subjectId: string, personal: Readonly<Record<string, unknown>>, keys: SubjectKeys): Record<string, unknown> {
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
        values[field] = sealValue(subjectId, keyOf(categoryOf(field)), v);
      }
      sealed[name] = values;
    } else {
      sealed[name] = sealValue(subjectId, keyOf(SUBJECT_CATEGORY), String(value));
    }
  }
  return sealed;
}

/** Opens every sealed string anywhere in `value` (null where the key is gone). */
export function openDeep<T>(subjectId: string, value: T, keys: SubjectKeys): T {
  if (isSealed(value)) return openValue(subjectId, value, keys) as T;
  if (Array.isArray(value)) return value.map((v) => openDeep(subjectId, v, keys)) as T;
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, openDeep(subjectId, v, keys)])) as T;
  }
  return value;
}
