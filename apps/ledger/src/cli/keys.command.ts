import { existsSync, renameSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Keyring } from '#ledger/crypto';
import { loadOrGenerateMasterKey } from '../config/secrets';
import type { CliContext } from './cli-context';
import type { Reporter } from './reporter';

/**
 * `keys rewrap`: re-wraps every data key under a new master key (LEDGER_NEW_MASTER_KEY, base64,
 * 32 bytes). Resumable: an interrupted run continues where it stopped. With the current key as
 * the new one it re-wraps only the keys still in the earlier AES-256-GCM form. Stop the service
 * first, and start it again with LEDGER_MASTER_KEY set to the new key (the generated key file is
 * replaced).
 */
export async function rewrapKeys(context: CliContext, report: Reporter): Promise<number> {
  const newSpec = process.env.LEDGER_NEW_MASTER_KEY;
  const next = newSpec ? Buffer.from(newSpec, 'base64') : null;
  if (!next || next.length !== 32) {
    report.error('LEDGER_NEW_MASTER_KEY must hold the new master key: 32 bytes, base64 (e.g. openssl rand -base64 32)');
    return 2;
  }
  const { key: current, generatedFile } = loadOrGenerateMasterKey(
    context.config.LEDGER_MASTER_KEY,
    context.config.LEDGER_DATA_DIR,
    context.config.LEDGER_MASTER_KEY_FILE,
  );
  const done = await Keyring.rewrap(context.pool, current, next, (n) => report.progress('re-wrapped', n));
  if (next.equals(current)) {
    // The same key: only the keys still in the earlier form were re-wrapped, into the current one.
    report.line(
      `the new master key is the current one: re-wrapped the ${done} keys still in the earlier AES-256-GCM form`,
    );
    return 0;
  }
  await Keyring.open(context.pool, next); // proves the store now opens under the new key
  if (generatedFile) {
    const temporary = `${generatedFile}.new`;
    writeFileSync(temporary, newSpec!, { mode: 0o600 });
    renameSync(temporary, generatedFile);
    report.line(`the generated key file ${generatedFile} now holds the new master key`);
  } else if (existsSync(resolve(context.config.LEDGER_DATA_DIR, 'master.key'))) {
    report.line('a generated master.key file exists beside LEDGER_MASTER_KEY; it is not used');
  }
  report.line(`re-wrapped ${done} keys; set LEDGER_MASTER_KEY to the new key before the next start`);
  return 0;
}
