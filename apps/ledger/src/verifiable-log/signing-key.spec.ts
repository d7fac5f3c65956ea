import 'reflect-metadata';
import { createPublicKey, randomBytes, verify } from 'node:crypto';
import type { Policy } from '#ledger/domain';
import { checkServiceSecrets, loadConfig } from '../config/ledger-config';
import { loadOrGenerateSigner, logOrigin } from './signing-key';

const policy = { controller: { name: 'Backerskeie AS', country: 'NO', contact: 'dpo@example.no' } } as Policy;
const shared = {
  LEDGER_STORE: 'postgres',
  DATABASE_URL: 'postgres://ledger@db/ledger',
  LEDGER_MASTER_KEY: randomBytes(32).toString('base64'),
};

describe('the verifiable log signing key', () => {
  it('is required outside the embedded default, named and never quoted', () => {
    expect(() => checkServiceSecrets(loadConfig(shared))).toThrow(
      /LEDGER_SIGNING_KEY is required with LEDGER_STORE=postgres/,
    );
    const seed = randomBytes(32).toString('base64');
    expect(() => checkServiceSecrets(loadConfig({ ...shared, LEDGER_SIGNING_KEY: seed }))).not.toThrow();
    const bad = 'c2hvcnQta2V5LXZhbHVl';
    const refused = () => loadOrGenerateSigner(loadConfig({ ...shared, LEDGER_SIGNING_KEY: bad }), policy);
    expect(refused).toThrow(/LEDGER_SIGNING_KEY must be a 32-byte Ed25519 seed/);
    expect(refused).not.toThrow(bad);
  });

  it('names the log after the controller, or LEDGER_LOG_ORIGIN; the key signs as that name', () => {
    expect(logOrigin(loadConfig(shared), policy)).toBe('processing-ledger/Backerskeie-AS');
    const config = loadConfig({
      ...shared,
      LEDGER_LOG_ORIGIN: 'ledger.example/eu',
      LEDGER_SIGNING_KEY: randomBytes(32).toString('base64'),
    });
    const { signer, generatedFile } = loadOrGenerateSigner(config, policy);
    expect(generatedFile).toBeUndefined();
    expect(signer.name).toBe('ledger.example/eu');
    const note = signer.sign('ledger.example/eu\n1\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n');
    const signature = Buffer.from(note.trimEnd().split(' ').at(-1)!, 'base64').subarray(4);
    const x = Buffer.from(signer.verifierKey.split('+').slice(2).join('+'), 'base64').subarray(1).toString('base64url');
    const key = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x }, format: 'jwk' });
    expect(verify(null, Buffer.from(note.split('\n\n')[0]! + '\n'), key, signature)).toBe(true);
    expect(() => loadConfig({ ...shared, LEDGER_LOG_ORIGIN: 'has space' })).toThrow(/LEDGER_LOG_ORIGIN/);
  });
});
