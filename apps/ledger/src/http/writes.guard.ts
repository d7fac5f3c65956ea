import { Inject, Injectable, type CanActivate } from '@nestjs/common';
import { LedgerRuntime } from '../runtime/ledger-runtime';
import { ReadOnlyInstanceError } from './errors';

/**
 * On a write route: a read instance (LEDGER_ROLE=read) keeps no read model up to date, so it could
 * not answer a write once the read models show it (read-your-writes); it refuses instead.
 */
@Injectable()
export class WritesGuard implements CanActivate {
  constructor(@Inject(LedgerRuntime) private readonly runtime: LedgerRuntime) {}

  canActivate(): boolean {
    if (!this.runtime.acceptsWrites) throw new ReadOnlyInstanceError();
    return true;
  }
}
