import { Module } from '@nestjs/common';
import { Keyring } from '#ledger/crypto';
import type { Pool } from '#ledger/postgres';
import { AccessLog } from '../access-log/access-log';
import { AccessLogReader } from '../access-log/access-log.reader';
import { CryptoModule } from './crypto.module';
import { StoreModule } from './store.module';
import { POOL } from './tokens';

/** Who read whose data: the log every read of personal data writes to, and the DPO's view across people. */
@Module({
  imports: [StoreModule, CryptoModule],
  providers: [
    {
      provide: AccessLog,
      inject: [POOL, Keyring],
      useFactory: (pool: Pool, keyring: Keyring) => AccessLog.open(pool, keyring),
    },
    // After the log: the reader's indexes are on the log's table.
    {
      provide: AccessLogReader,
      inject: [POOL, AccessLog],
      useFactory: (pool: Pool, _log: AccessLog) => AccessLogReader.open(pool),
    },
  ],
  exports: [AccessLog, AccessLogReader],
})
export class AccessLogModule {}
