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

/** The shortest token accepted: shorter ones can be guessed or were typed by hand. */
export const MIN_TOKEN_LENGTH = 32;
/** A token's name: what the access log and the rate limit know a holder by. */
export const TOKEN_NAME = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/;

/** v1's `role:token` has no name of its own: one derived from the token is stable however the list is ordered. */
export const derivedTokenName = (role: Role, token: string) => `${role}-${createHash('sha256').update(token).digest('hex').slice(0, 8)}`;

/**
 * Parses LEDGER_TOKENS (`role:name:token,…`, or v1's `role:token`) into token digest → principal.
 * A bad entry stops the start with its position and the rule it breaks, never its text.
 */
export function parseTokens(spec: string): Map<string, Principal> {
  const tokens = new Map<string, Principal>();
  const positions = new Map<string, number>();
  spec.split(',').map((entry) => entry.trim()).filter(Boolean).forEach((entry, i) => {
    const fail = (rule: string) => new Error(`configuration: LEDGER_TOKENS entry ${i + 1} ${rule}`);
    const parts = entry.split(':');
    const role = parts[0] as Role;
    if (parts.length < 2 || !ROLES.includes(role)) throw fail(`must be <${ROLES.join('|')}>:<name>:<token>`);
    // Three parts or more is the named form; a token may itself hold colons after the name.
    const named = parts.length > 2;
    const token = named ? parts.slice(2).join(':') : parts[1];
    if (named && !TOKEN_NAME.test(parts[1])) throw fail('has a name that is not 1 to 64 letters, digits or ._@- (starting with a letter or digit)');
    if (token.length < MIN_TOKEN_LENGTH) throw fail(`has a token shorter than ${MIN_TOKEN_LENGTH} characters`);
    const digest = tokenDigest(token);
    const first = positions.get(digest);
    if (first !== undefined) throw fail(`repeats the token of entry ${first}: each token is listed once`);
    positions.set(digest, i + 1);
    tokens.set(digest, { role, name: named ? parts[1] : derivedTokenName(role, token) });
  });
  return tokens;
}

/**
 * With no LEDGER_TOKENS, one token per role is generated once into the data directory (mode 0600),
 * named `<role>-generated`, and reused after; the start-up log says where, never what.
 */
export function loadOrGenerateTokens(spec: string | undefined, dataDir: string): { tokens: Map<string, Principal>; file?: string } {
  if (spec) return { tokens: parseTokens(spec) };
  const file = resolve(dataDir, 'tokens.env');
  if (!existsSync(file)) {
    mkdirSync(dataDir, { recursive: true });
    const entries = ROLES.map((role) => `${role}:${role}-generated:${randomBytes(32).toString('base64url')}`);
    writeFileSync(file, `# Bearer tokens of the processing ledger, one per role (role:name:token). Keep secret.\nLEDGER_TOKENS=${entries.join(',')}\n`, {
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
