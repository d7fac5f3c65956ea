import { Module } from '@nestjs/common';
import { Keyring } from '#ledger/crypto';
import type { Pool } from '#ledger/postgres';
import { StoreModule } from './store.module';
import { MASTER_KEY, POOL } from './tokens';

/** The keyring: per-person data keys under the master key, destroyed on erasure. */
@Module({
  imports: [StoreModule],
  providers: [
    {
      provide: Keyring,
      inject: [POOL, MASTER_KEY],
      useFactory: (pool: Pool, masterKey: Buffer) => Keyring.open(pool, masterKey),
    },
  ],
  exports: [Keyring],
})
export class CryptoModule {}
