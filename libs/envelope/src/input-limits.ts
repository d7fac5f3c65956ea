import type { ValidationDetail } from './validate-envelope';

/**
 * The limits of CONTRACT §5 on one envelope. Sizes are UTF-8 bytes, the unit a broker and a
 * column count in.
 */
export const LIMITS = {
  /** Objects and arrays on the deepest path, the envelope itself counting as one. */
  depth: 16,
  fieldKeys: 200,
  fieldValueBytes: 64 * 1024,
  textBytes: 4 * 1024,
  arrayItems: 100,
} as const;

/** Keys that lead to a prototype (`__proto__`, `constructor.prototype`) in code that copies or merges by assignment. */
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/** Control, zero-width and bidirectional characters: they make one ref look like another. */
const INVISIBLE_IN_REF = /[\p{Cc}\u200B-\u200D\u2060\uFEFF\u200E\u200F\u061C\u202A-\u202E\u2066-\u2069]/u;
const NON_ASCII = /\P{ASCII}/u;

/** A key shown in a path only when it has a name's shape, since a key is input too. */
const NAMED_KEY = /^[A-Za-z0-9_-]{1,64}(\.[A-Za-z0-9_-]{1,64})?$/;

interface Frame {
  readonly value: object;
  readonly depth: number;
  readonly parent: Frame | null;
  readonly key: string;
}

const pathOf = (frame: Frame | null, prefix: string, key?: string): string => {
  const parts: string[] = [];
  if (key !== undefined) parts.push(key);
  for (let f = frame; f !== null && f.parent !== null; f = f.parent) parts.push(f.key);
  let path = prefix;
  for (let i = parts.length - 1; i >= 0; i -= 1) {
    const part = parts[i]!;
    path = part.startsWith('[') ? `${path || '(body)'}${part}` : path ? `${path}.${part}` : part;
  }
  return path || '(body)';
};

/** A key as a path may show it: itself if it has a name's shape, else `*`. */
export const shownKey = (key: string): string => (NAMED_KEY.test(key) ? key : '*');

const segment = (key: string, array: boolean): string => (array ? `[${key}]` : shownKey(key));

const byteLength = (text: string, limit: number): number =>
  // A UTF-16 unit is one to three UTF-8 bytes: most texts are decided without counting.
  text.length * 3 <= limit ? 0 : text.length > limit ? text.length : Buffer.byteLength(text, 'utf8');

function textProblem(text: string, limit: number): string | null {
  if (text.includes('\u0000')) return 'text must not contain NUL characters';
  if (!(text as unknown as { isWellFormed(): boolean }).isWellFormed()) return 'text must not contain a lone surrogate';
  if (byteLength(text, limit) > limit) return `text must be at most ${limit / 1024} KiB`;
  return null;
}

/**
 * One iterative walk of a raw envelope, before class-validator sees it, so that no input can
 * exhaust the stack or reach a prototype: depth, keys, array lengths, text sizes and encodings.
 * Returns the first problem, by path and rule, never quoting the value.
 */
export function inputLimitProblem(raw: object, prefix = ''): ValidationDetail | null {
  const stack: Frame[] = [{ value: raw, depth: 1, parent: null, key: '' }];
  while (stack.length > 0) {
    const frame = stack.pop()!;
    const { value, depth } = frame;
    if (depth > LIMITS.depth)
      return { path: pathOf(frame, prefix), message: `JSON must not be nested deeper than ${LIMITS.depth} levels` };
    const array = Array.isArray(value);
    if (array && value.length > LIMITS.arrayItems) {
      return { path: pathOf(frame, prefix), message: `an array must have at most ${LIMITS.arrayItems} items` };
    }
    const keys = Object.keys(value);
    // `data.fields`: the one place that holds the person's values, with its own limits.
    const fields = depth === 3 && !array && frame.key === 'fields' && frame.parent!.key === 'data';
    if (fields && keys.length > LIMITS.fieldKeys) {
      return { path: pathOf(frame, prefix), message: `fields must have at most ${LIMITS.fieldKeys} keys` };
    }
    const textLimit = fields ? LIMITS.fieldValueBytes : LIMITS.textBytes;
    for (const key of keys) {
      if (!array) {
        if (FORBIDDEN_KEYS.has(key))
          return { path: pathOf(frame, prefix, key), message: `a key must not be named ${key}` };
        const problem = textProblem(key, LIMITS.textBytes);
        if (problem) return { path: pathOf(frame, prefix, '*'), message: `a key: ${problem}` };
      }
      const child = (value as Record<string, unknown>)[key];
      if (typeof child === 'string') {
        const problem = textProblem(child, textLimit);
        if (problem) return { path: pathOf(frame, prefix, segment(key, array)), message: problem };
      } else if (typeof child === 'object' && child !== null) {
        stack.push({ value: child, depth: depth + 1, parent: frame, key: segment(key, array) });
      }
    }
  }
  return null;
}

/** Why a subject ref cannot name a person, or null; the rule, never the ref. */
export function refProblem(ref: string): string | null {
  return INVISIBLE_IN_REF.test(ref) ? 'ref must not contain control, zero-width or bidirectional characters' : null;
}

/** The form refs are compared in: `é` precomposed and decomposed are one person. */
export const normalizeRef = (ref: string): string => (NON_ASCII.test(ref) ? ref.normalize('NFC') : ref);
