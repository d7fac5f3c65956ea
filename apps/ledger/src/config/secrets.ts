import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const ROLES = ['ingest', 'auditor', 'dpo', 'ops'] as const;
export type Role = (typeof ROLES)[number];

/** A bearer token's holder: its role and a stable, non-secret name for the access log. */
export interface Principal {
  readonly role: Role;
  readonly name: string;
}

/** Tokens are looked up by their hash, so neither the map nor a timing difference holds a token. */
export const tokenDigest = (token: string) => createHash('sha256').update(token).digest('base64url');

/** Parses LEDGER_TOKENS (`role:token,role:token`) into token digest → principal. Never logged. */
export function parseTokens(spec: string): Map<string, Principal> {
  const tokens = new Map<string, Principal>();
  spec.split(',').map((pair) => pair.trim()).filter(Boolean).forEach((pair, i) => {
    const colon = pair.indexOf(':');
    const role = pair.slice(0, colon) as Role;
    const token = pair.slice(colon + 1);
    if (colon < 1 || !ROLES.includes(role) || token.length < 8) {
      throw new Error(`configuration: LEDGER_TOKENS entry ${i + 1} must be <${ROLES.join('|')}>:<token of 8+ characters>`);
    }
    tokens.set(tokenDigest(token), { role, name: `${role}#${i + 1}` });
  });
  return tokens;
}

/**
 * With no LEDGER_TOKENS, one token per role is generated once into the data directory (mode 0600)
 * and reused after; the start-up log says where, never what.
 */
export function loadOrGenerateTokens(spec: string | undefined, dataDir: string): { tokens: Map<string, Principal>; file?: string } {
  if (spec) return { tokens: parseTokens(spec) };
  const file = resolve(dataDir, 'tokens.env');
  if (!existsSync(file)) {
    mkdirSync(dataDir, { recursive: true });
    const pairs = ROLES.map((role) => `${role}:${randomBytes(24).toString('base64url')}`);
    writeFileSync(file, `# Bearer tokens of the processing ledger, one per role. Keep secret.\nLEDGER_TOKENS=${pairs.join(',')}\n`, {
      mode: 0o600,
    });
  }
  const line = readFileSync(file, 'utf8').split('\n').find((l) => l.startsWith('LEDGER_TOKENS='));
  return { tokens: parseTokens(line?.slice('LEDGER_TOKENS='.length) ?? ''), file };
}

/** The master key from LEDGER_MASTER_KEY, or generated once into the data directory (0600). */
export function loadOrGenerateMasterKey(spec: string | undefined, dataDir: string): { key: Buffer; generatedFile?: string } {
  if (spec) {
    const key = Buffer.from(spec, 'base64');
    if (key.length !== 32) throw new Error('configuration: LEDGER_MASTER_KEY must be 32 bytes, base64-encoded');
    return { key };
  }
  const file = join(resolve(dataDir), 'master.key');
  if (!existsSync(file)) {
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(file, randomBytes(32).toString('base64'), { mode: 0o600 });
  }
  return { key: Buffer.from(readFileSync(file, 'utf8').trim(), 'base64'), generatedFile: file };
}
