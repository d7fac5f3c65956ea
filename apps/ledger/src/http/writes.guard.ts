import { Inject, Injectable, type CanActivate } from '@nestjs/common';
import type { LedgerConfig } from '../config/ledger-config';
import { LEDGER_CONFIG } from '../modules/tokens';
import { ReadOnlyInstanceError } from './errors';

/**
 * On a write route: a read instance (LEDGER_ROLE=read) keeps no read model up to date, so it could
 * not answer a write once the read models show it (read-your-writes); it refuses instead.
 */
@Injectable()
export class WritesGuard implements CanActivate {
  constructor(@Inject(LEDGER_CONFIG) private readonly config: LedgerConfig) {}

  canActivate(): boolean {
    if (this.config.LEDGER_ROLE !== 'all') throw new ReadOnlyInstanceError();
    return true;
  }
}
