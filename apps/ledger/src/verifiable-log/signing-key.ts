import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { noteSignerFromSeed, type NoteSigner } from '#ledger/verifiable-log';
import type { Policy } from '#ledger/domain';
import type { LedgerConfig } from '../config/ledger-config';
import { loadOrGenerateMasterKey } from '../config/secrets';

/**
 * The log's name, the checkpoints' first line: LEDGER_LOG_ORIGIN, else `processing-ledger/` and the
 * policy's controller with its spaces made dashes (a note's key name holds no spaces).
 */
export const logOrigin = (config: LedgerConfig, policy: Policy): string =>
  config.LEDGER_LOG_ORIGIN ?? `processing-ledger/${policy.controller.name.trim().replace(/[\s+]+/gu, '-')}`;

const signingKeyFile = (config: LedgerConfig): string =>
  resolve(config.LEDGER_SIGNING_KEY_FILE ?? join(config.LEDGER_DATA_DIR, 'signing.key'));

const signer = (origin: string, seed: string): NoteSigner => {
  try {
    return noteSignerFromSeed(origin, seed);
  } catch {
    // The message names the variable, never the value.
    throw new Error('configuration: LEDGER_SIGNING_KEY must be a 32-byte Ed25519 seed, base64-encoded');
  }
};

/**
 * The service's signer: LEDGER_SIGNING_KEY, or the embedded default's key generated once into its
 * file (O_EXCL, mode 0600, as the master key is). The key is named as the log (its origin).
 */
export function loadOrGenerateSigner(
  config: LedgerConfig,
  policy: Policy,
): { signer: NoteSigner; generatedFile?: string } {
  const origin = logOrigin(config, policy);
  if (config.LEDGER_SIGNING_KEY) return { signer: signer(origin, config.LEDGER_SIGNING_KEY) };
  const { key, generatedFile } = loadOrGenerateMasterKey(undefined, config.LEDGER_DATA_DIR, signingKeyFile(config));
  return { signer: signer(origin, key.toString('base64')), generatedFile };
}

/** For ops commands: the configured or already generated signer, never a new one; null if there is none. */
export function existingSigner(config: LedgerConfig, policy: Policy): NoteSigner | null {
  const origin = logOrigin(config, policy);
  if (config.LEDGER_SIGNING_KEY) return signer(origin, config.LEDGER_SIGNING_KEY);
  const file = signingKeyFile(config);
  return existsSync(file) ? signer(origin, readFileSync(file, 'utf8').trim()) : null;
}
