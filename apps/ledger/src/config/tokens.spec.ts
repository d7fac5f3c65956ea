import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadOrGenerateTokens, parseTokens, tokenDigest } from './secrets';

const token = (c: string, length = 32) => c.repeat(length);
const holder = (spec: string, t: string) => parseTokens(spec).get(tokenDigest(t));
const refusal = (spec: string): string => {
  try {
    parseTokens(spec);
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('the tokens were accepted');
};

describe('LEDGER_TOKENS', () => {
  it('reads role:name:token, and names v1 role:token by the first 8 hex of its SHA-256', () => {
    const v1 = token('b');
    const spec = `ingest:webcruiter:${token('a')}, auditor:${v1}`;
    expect(holder(spec, token('a'))).toEqual({ role: 'ingest', name: 'webcruiter' });
    expect(holder(spec, v1)).toEqual({
      role: 'auditor',
      name: `auditor-${createHash('sha256').update(v1).digest('hex').slice(0, 8)}`,
    });
    expect(holder(spec, token('c'))).toBeUndefined();
  });

  it('keeps every name when the list is reordered', () => {
    const entries = [`dpo:kari:${token('a')}`, `auditor:${token('b')}`, `ops:pager:${token('c')}`];
    const names = (spec: string) => [token('a'), token('b'), token('c')].map((t) => holder(spec, t)?.name);
    expect(names(entries.join(','))).toEqual(names([...entries].reverse().join(',')));
  });

  it('keeps colons after the name as part of the token', () => {
    expect(holder(`ops:pager:${token('x', 20)}:${token('y', 20)}`, `${token('x', 20)}:${token('y', 20)}`)).toEqual({
      role: 'ops',
      name: 'pager',
    });
  });

  it('refuses a token shorter than 32 characters, naming the entry and the rule, never the token', () => {
    const short = token('s', 31);
    for (const spec of [`ingest:a:${token('a')},auditor:b:${short}`, `ingest:a:${token('a')},auditor:${short}`]) {
      expect(refusal(spec)).toBe('configuration: LEDGER_TOKENS entry 2 has a token shorter than 32 characters');
    }
  });

  it('refuses a token listed twice, even under two names or roles', () => {
    const spec = `ingest:a:${token('a')},dpo:b:${token('b')},ops:c:${token('a')}`;
    expect(refusal(spec)).toBe(
      'configuration: LEDGER_TOKENS entry 3 repeats the token of entry 1: each token is listed once',
    );
  });

  it('refuses an unknown role and a name that is not a name', () => {
    expect(() => parseTokens(`admin:x:${token('a')}`)).toThrow(
      'LEDGER_TOKENS entry 1 must be <ingest|auditor|dpo|ops>:<name>:<token>',
    );
    expect(() => parseTokens(`ops:has space:${token('a')}`)).toThrow('LEDGER_TOKENS entry 1 has a name that is not');
    expect(() => parseTokens(`ops::${token('a')}`)).toThrow('LEDGER_TOKENS entry 1 has a name that is not');
  });

  it('generates one named token per role once, in the new form, and reads the same back', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ledger-tokens-'));
    try {
      const first = loadOrGenerateTokens(undefined, dir);
      const line = readFileSync(first.file!, 'utf8')
        .split('\n')
        .find((l) => l.startsWith('LEDGER_TOKENS='))!;
      const entries = line
        .slice('LEDGER_TOKENS='.length)
        .split(',')
        .map((e) => e.split(':'));
      expect(entries.map(([role, name]) => [role, name])).toEqual(
        ['ingest', 'auditor', 'dpo', 'ops'].map((r) => [r, `${r}-generated`]),
      );
      for (const [, , t] of entries) expect(t.length).toBeGreaterThanOrEqual(32);
      expect([...loadOrGenerateTokens(undefined, dir).tokens]).toEqual([...first.tokens]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
