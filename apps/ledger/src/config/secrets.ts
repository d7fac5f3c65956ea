import { createHash, randomBytes } from 'node:crypto';
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, writeFileSync, writeSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

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

const MASTER_KEY_BYTES = 32;
/** How long a start that lost the race waits for the winner's key to reach the file. */
const KEY_FILE_WAIT_MS = 5_000;

const decodeKey = (text: string): Buffer | null => {
  const key = Buffer.from(text.trim(), 'base64');
  return key.length === MASTER_KEY_BYTES ? key : null;
};

/**
 * The master key from LEDGER_MASTER_KEY, or the embedded default's generated key: in `keyFile`
 * (LEDGER_MASTER_KEY_FILE, so that it can live apart from the data) or else `master.key` in the
 * data directory, mode 0600. The file is created with O_EXCL: of two starts racing, one writes
 * the key and the other reads that one, so no value is ever sealed under a key that is then lost.
 */
export function loadOrGenerateMasterKey(spec: string | undefined, dataDir: string, keyFile?: string): { key: Buffer; generatedFile?: string } {
  if (spec) {
    const key = decodeKey(spec);
    if (!key) throw new Error('configuration: LEDGER_MASTER_KEY must be 32 bytes, base64-encoded');
    return { key };
  }
  const file = resolve(keyFile ?? join(dataDir, 'master.key'));
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  let fd: number | null = null;
  try {
    fd = openSync(file, 'wx', 0o600);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  if (fd !== null) {
    try {
      writeSync(fd, randomBytes(MASTER_KEY_BYTES).toString('base64'));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  }
  // The loser of a race may open the file before the winner's one write lands in it.
  const deadline = Date.now() + KEY_FILE_WAIT_MS;
  for (;;) {
    const key = decodeKey(readFileSync(file, 'utf8'));
    if (key) return { key, generatedFile: file };
    if (Date.now() > deadline) throw new Error(`configuration: ${file} does not hold a master key (32 bytes, base64); restore it from a backup`);
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50);
  }
}
