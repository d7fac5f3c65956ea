import { createHash, randomBytes } from 'node:crypto';
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, writeFileSync, writeSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

export const ROLES = ['ingest', 'auditor', 'dpo', 'ops'] as const;
export type Role = (typeof ROLES)[number];

/**
 * A bearer token's holder: its role and a stable, non-secret name for the access log. On a
 * request, `role` is the one it acts under, of the `roles` its token grants (a JWT may grant more
 * than one; a static token grants its one role).
 */
export interface Principal {
  readonly role: Role;
  readonly name: string;
  readonly roles?: readonly Role[];
}

/** Tokens are looked up by their hash, so neither the map nor a timing difference holds a token. */
export const tokenDigest = (token: string) => createHash('sha256').update(token).digest('base64url');

/** The shortest token accepted: shorter ones can be guessed or were typed by hand. */
export const MIN_TOKEN_LENGTH = 32;
/** A token's name: what the access log and the rate limit know a holder by. */
export const TOKEN_NAME = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/;

/** v1's `role:token` has no name of its own: one derived from the token is stable however the list is ordered. */
export const derivedTokenName = (role: Role, token: string) =>
  `${role}-${createHash('sha256').update(token).digest('hex').slice(0, 8)}`;

/**
 * Parses LEDGER_TOKENS (`role:name:token,…`, or v1's `role:token`) into token digest → principal.
 * A bad entry stops the start with its position and the rule it breaks, never its text.
 */
export function parseTokens(spec: string): Map<string, Principal> {
  const tokens = new Map<string, Principal>();
  const positions = new Map<string, number>();
  spec
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean)
    .forEach((entry, i) => {
      const fail = (rule: string) => new Error(`configuration: LEDGER_TOKENS entry ${i + 1} ${rule}`);
      const parts = entry.split(':');
      const role = parts[0] as Role;
      if (parts.length < 2 || !ROLES.includes(role)) throw fail(`must be <${ROLES.join('|')}>:<name>:<token>`);
      // Three parts or more is the named form; a token may itself hold colons after the name.
      const named = parts.length > 2;
      const token = named ? parts.slice(2).join(':') : parts[1];
      if (named && !TOKEN_NAME.test(parts[1]))
        throw fail('has a name that is not 1 to 64 letters, digits or ._@- (starting with a letter or digit)');
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
export function loadOrGenerateTokens(
  spec: string | undefined,
  dataDir: string,
): { tokens: Map<string, Principal>; file?: string } {
  if (spec) return { tokens: parseTokens(spec) };
  const file = resolve(dataDir, 'tokens.env');
  if (!existsSync(file)) {
    mkdirSync(dataDir, { recursive: true });
    const entries = ROLES.map((role) => `${role}:${role}-generated:${randomBytes(32).toString('base64url')}`);
    writeFileSync(
      file,
      '# Bearer tokens of the processing ledger, one per role (role:name:token). Keep secret.\n' +
        `LEDGER_TOKENS=${entries.join(',')}\n`,
      {
        mode: 0o600,
      },
    );
  }
  const line = readFileSync(file, 'utf8')
    .split('\n')
    .find((l) => l.startsWith('LEDGER_TOKENS='));
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
export function loadOrGenerateMasterKey(
  spec: string | undefined,
  dataDir: string,
  keyFile?: string,
): { key: Buffer; generatedFile?: string } {
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
    if (Date.now() > deadline)
      throw new Error(`configuration: ${file} does not hold a master key (32 bytes, base64); restore it from a backup`);
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50);
  }
}
