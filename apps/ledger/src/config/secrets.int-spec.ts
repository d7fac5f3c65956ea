import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { loadOrGenerateMasterKey } from './secrets';

const BUILT = resolve(__dirname, '../../../../dist/apps/ledger/src/config/secrets.js');

/** The embedded default's generated master key: where it is kept, and that racing starts share one. */
describe('the generated master key', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(process.env.LEDGER_TEST_TMP ?? tmpdir(), 'master-key-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('is written once, mode 0600, into the data directory by default, and read back after', () => {
    const dataDir = join(dir, 'data');
    const first = loadOrGenerateMasterKey(undefined, dataDir);
    expect(first.generatedFile).toBe(join(dataDir, 'master.key'));
    expect(first.key).toHaveLength(32);
    expect(statSync(first.generatedFile!).mode & 0o777).toBe(0o600);
    expect(Buffer.from(readFileSync(first.generatedFile!, 'utf8'), 'base64')).toEqual(first.key);
    expect(loadOrGenerateMasterKey(undefined, dataDir).key).toEqual(first.key);
  });

  it('lives at LEDGER_MASTER_KEY_FILE when that is set, apart from the data', () => {
    const dataDir = join(dir, 'data');
    const keyFile = join(dir, 'keys', 'ledger-master.key');
    const { key, generatedFile } = loadOrGenerateMasterKey(undefined, dataDir, keyFile);
    expect(generatedFile).toBe(keyFile);
    expect(Buffer.from(readFileSync(keyFile, 'utf8'), 'base64')).toEqual(key);
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    expect(existsSync(join(dataDir, 'master.key'))).toBe(false);
  });

  it('is not generated when LEDGER_MASTER_KEY is given', () => {
    const given = Buffer.alloc(32, 7);
    const keyFile = join(dir, 'master.key');
    expect(loadOrGenerateMasterKey(given.toString('base64'), dir, keyFile)).toEqual({ key: given });
    expect(existsSync(keyFile)).toBe(false);
    expect(() => loadOrGenerateMasterKey(Buffer.alloc(16).toString('base64'), dir)).toThrow(
      /LEDGER_MASTER_KEY must be 32 bytes/,
    );
  });

  it("is one key for starts that race to create it: the losers read the winner's", async () => {
    const keyFile = join(dir, 'shared', 'master.key');
    const at = Date.now() + 1_500;
    // Each process spins until the same instant, then creates or reads the key.
    const script = `const { loadOrGenerateMasterKey } = require(${JSON.stringify(BUILT)});
      while (Date.now() < ${at});
      const loaded = loadOrGenerateMasterKey(undefined, ${JSON.stringify(dir)}, ${JSON.stringify(keyFile)});
      process.stdout.write(loaded.key.toString('base64'));`;
    const run = promisify(execFile);
    const keys = await Promise.all(
      Array.from({ length: 6 }, () => run(process.execPath, ['-e', script]).then((r) => r.stdout)),
    );
    expect(keys[0]).toMatch(/^[A-Za-z0-9+/]{43}=$/);
    expect(new Set(keys)).toEqual(new Set([readFileSync(keyFile, 'utf8')]));
  });
});
