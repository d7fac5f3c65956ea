import { Logger, Module } from '@nestjs/common';
import type { Policy } from '#ledger/domain';
import type { Pool } from '#ledger/postgres';
import { leafIndexFaultLine, PostgresTreeStore, TreeLog } from '#ledger/verifiable-log';
import type { LedgerConfig } from '../config/ledger-config';
import { CheckpointSigner } from '../verifiable-log/checkpoint-signer';
import { loadOrGenerateSigner } from '../verifiable-log/signing-key';
import { KafkaModule } from './kafka.module';
import { StoreModule } from './store.module';
import { LEDGER_CONFIG, POLICY, POOL, TREE_LOG, TREE_STORE } from './tokens';

function openTreeLog(config: LedgerConfig, policy: Policy, tree: PostgresTreeStore): TreeLog {
  const { signer, generatedFile } = loadOrGenerateSigner(config, policy);
  if (generatedFile)
    new Logger('verifiable-log').warn(
      `LEDGER_SIGNING_KEY is not set: using the generated signing key in ${generatedFile}; ` +
        'back it up, and set LEDGER_SIGNING_KEY in production',
    );
  return new TreeLog(tree, signer, signer.name);
}

/**
 * The verifiable log (CONTRACT §7): the Merkle tree over every event and access entry (kept by its
 * projection), what signs it as it grows and proves things about it, and the signing timer.
 */
@Module({
  imports: [StoreModule, KafkaModule],
  providers: [
    {
      provide: TREE_STORE,
      inject: [POOL],
      useFactory: (pool: Pool) =>
        PostgresTreeStore.open(pool, {
          onLeafIndexFault: (error) => new Logger('verifiable-log').warn(leafIndexFaultLine(error)),
        }),
    },
    { provide: TREE_LOG, inject: [LEDGER_CONFIG, POLICY, TREE_STORE], useFactory: openTreeLog },
    CheckpointSigner,
  ],
  exports: [TREE_STORE, TREE_LOG, CheckpointSigner],
})
export class VerifiableLogModule {}
