import { Module } from '@nestjs/common';
import { Keyring } from '#ledger/crypto';
import type { Policy } from '#ledger/domain';
import type { EventStore } from '#ledger/event-store';
import type { Pool } from '#ledger/postgres';
import { LedgerWriter, PostgresSubjectDirectory, type SubjectDirectory } from '#ledger/recording';
import { CryptoModule } from './crypto.module';
import { StoreModule } from './store.module';
import { EVENT_STORE, POLICY, POOL, SUBJECT_DIRECTORY } from './tokens';

/** The write path: the directory of upstream refs and the writer (decide, seal, append, shred). */
@Module({
  imports: [StoreModule, CryptoModule],
  providers: [
    {
      provide: SUBJECT_DIRECTORY,
      inject: [POOL, Keyring],
      useFactory: (pool: Pool, keyring: Keyring): Promise<SubjectDirectory> =>
        PostgresSubjectDirectory.open(pool, (ref) => keyring.mac('ref', ref)),
    },
    {
      provide: LedgerWriter,
      inject: [EVENT_STORE, SUBJECT_DIRECTORY, Keyring, POLICY],
      useFactory: (store: EventStore, directory: SubjectDirectory, keyring: Keyring, policy: Policy) =>
        new LedgerWriter({ store, directory, keyring, policy }),
    },
  ],
  exports: [SUBJECT_DIRECTORY, LedgerWriter],
})
export class RecordingModule {}
