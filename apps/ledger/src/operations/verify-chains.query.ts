import { Inject } from '@nestjs/common';
import { Query, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { verifyStore, type EventStore } from '#ledger/event-store';
import { EVENT_STORE } from '../modules/tokens';

export type ChainsVerified = Awaited<ReturnType<typeof verifyStore>>;

/** Every stream's hash chain, walked from the store. */
export class VerifyChainsQuery extends Query<ChainsVerified> {}

@QueryHandler(VerifyChainsQuery)
export class VerifyChainsHandler implements IQueryHandler<VerifyChainsQuery> {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  execute(): Promise<ChainsVerified> {
    return verifyStore(this.store);
  }
}
