/**
 * A dead letter's value: the envelope's shape with every value that may be personal sealed under
 * a dead-letter key, so the dead-letter topic holds nothing in clear that erasure cannot reach.
 * What stays in clear is a short list of the envelope's structural fields, and only while they
 * are short single-line texts; everything else (a field's value, the ref, the actor, evidence,
 * grounds, reasons, descriptions) is sealed in place. Keys the contract does not know go sealed
 * together with their values under `$sealed`, since a key can quote input as well as a value.
 */

/** Seals bytes; the result names its key (`dlq:v1:<kid>:…`). */
export type Seal = (plain: Buffer) => string;
/** Opens a sealed value; null when its key is destroyed. */
export type Open = (sealed: string) => Buffer | null;

const BAG = '$sealed';
const SEALED_PREFIX = 'dlq:';
const SAFE_KEY = /^[A-Za-z_][\w.-]{0,99}$/;
const SAFE_TEXT = /^[^\p{Cc}\p{Cf}]{0,200}$/u;

interface Shape {
  /** Kept in clear while short single-line texts (or lists of them). */
  readonly clear: ReadonlySet<string>;
  /** The contract's personal keys: sealed in place, so the letter keeps the envelope's shape. */
  readonly personal?: ReadonlySet<string>;
  readonly nested?: Readonly<Record<string, Shape>>;
  /** Every key kept (when safe), every value sealed: `data.fields`. */
  readonly sealAllValues?: boolean;
}

const FIELDS: Shape = { clear: new Set(), sealAllValues: true };
const DATA: Shape = {
  personal: new Set(['evidence', 'grounds', 'reason', 'description']),
  clear: new Set([
    'purpose',
    'purposes',
    'collectedFrom',
    'lawfulBasis',
    'policyVersion',
    'channel',
    'recipient',
    'objectionId',
    'outcome',
    'scope',
    'kind',
    'requestId',
    'method',
    'months',
    'system',
    'until',
  ]),
  nested: { fields: FIELDS },
};
const ENVELOPE: Shape = {
  clear: new Set(['id', 'type', 'occurredAt', 'source']),
  personal: new Set(['actor']),
  nested: { subject: { clear: new Set(['id']), personal: new Set(['ref']) }, data: DATA },
};

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const isClearText = (value: unknown) =>
  typeof value === 'string' && SAFE_TEXT.test(value) && !value.startsWith(SEALED_PREFIX);
const isClearValue = (value: unknown): boolean =>
  typeof value === 'number' ||
  typeof value === 'boolean' ||
  value === null ||
  isClearText(value) ||
  (Array.isArray(value) && value.length <= 100 && value.every(isClearText));

const sealJson = (value: unknown, seal: Seal) => seal(Buffer.from(JSON.stringify(value), 'utf8'));

function sealObject(value: Record<string, unknown>, shape: Shape, seal: Seal): Record<string, unknown> {
  const kept: Array<[string, unknown]> = [];
  const bagged: Array<[string, unknown]> = [];
  for (const [key, v] of Object.entries(value)) {
    const nested = shape.nested?.[key];
    if (!SAFE_KEY.test(key)) bagged.push([key, v]);
    else if (nested && key === 'fields' && Array.isArray(v) && isClearValue(v))
      kept.push([key, v]); // a list of field keys
    else if (nested && isObject(v)) kept.push([key, sealObject(v, nested, seal)]);
    else if (shape.clear.has(key) && isClearValue(v)) kept.push([key, v]);
    else if (shape.clear.has(key) || shape.personal?.has(key) || nested || shape.sealAllValues)
      kept.push([key, sealJson(v, seal)]);
    else bagged.push([key, v]);
  }
  if (bagged.length > 0) kept.push([BAG, sealJson(Object.fromEntries(bagged), seal)]);
  // Object.fromEntries keeps a `__proto__` key as data, where an assignment would set the prototype.
  return Object.fromEntries(kept);
}

/** The value a dead letter carries for this message value: JSON, with nothing personal in clear. */
export function sealMessageValue(value: Buffer | null, seal: Seal): string {
  const bytes = value ?? Buffer.alloc(0);
  let parsed: unknown;
  try {
    parsed = JSON.parse(bytes.toString('utf8'));
  } catch {
    parsed = undefined;
  }
  // Not JSON, or not an object: sealed whole, byte for byte.
  if (!isObject(parsed)) return JSON.stringify(seal(bytes));
  return JSON.stringify(sealObject(parsed, ENVELOPE, seal));
}

/**
 * A dead letter cut down to what any broker takes: the envelope's id, type and source when they
 * are clear, and `truncated: true`. Its headers still carry the code.
 */
export function cutDownValue(value: Buffer | null): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse((value ?? Buffer.alloc(0)).toString('utf8'));
  } catch {
    parsed = undefined;
  }
  const kept = isObject(parsed)
    ? (['id', 'type', 'source'] as const).filter((k) => isClearText(parsed[k])).map((k) => [k, parsed[k]])
    : [];
  return JSON.stringify({ ...Object.fromEntries(kept), truncated: true });
}

/** Thrown by `openMessageValue` when a sealed part's key is destroyed. */
export class DeadLetterKeyDestroyed extends Error {
  constructor() {
    super('the dead-letter key of this letter is destroyed');
    this.name = 'DeadLetterKeyDestroyed';
  }
}

const isSealed = (value: unknown): value is string => typeof value === 'string' && value.startsWith(SEALED_PREFIX);

function openPart(sealed: string, open: Open): Buffer {
  const plain = open(sealed);
  if (!plain) throw new DeadLetterKeyDestroyed();
  return plain;
}

function openObject(value: Record<string, unknown>, open: Open): Record<string, unknown> {
  const entries: Array<[string, unknown]> = [];
  for (const [key, v] of Object.entries(value)) {
    if (key === BAG && isSealed(v))
      entries.push(...Object.entries(JSON.parse(openPart(v, open).toString('utf8')) as object));
    else if (isSealed(v)) entries.push([key, JSON.parse(openPart(v, open).toString('utf8'))]);
    else if (isObject(v)) entries.push([key, openObject(v, open)]);
    else entries.push([key, v]);
  }
  return Object.fromEntries(entries);
}

/**
 * The message value a dead letter was made from (an envelope's key order may differ); throws
 * DeadLetterKeyDestroyed when its key is gone, and a SyntaxError when it is not a sealed letter.
 */
export function openMessageValue(letter: Buffer, open: Open): Buffer {
  const parsed: unknown = JSON.parse(letter.toString('utf8'));
  if (isSealed(parsed)) return openPart(parsed, open);
  if (!isObject(parsed)) throw new SyntaxError('not a sealed dead letter');
  return Buffer.from(JSON.stringify(openObject(parsed, open)), 'utf8');
}
