import { Query } from '@nestjs/cqrs';
import type { RegisterEntry, RegisterQuery } from '#ledger/projections';

export interface RequestRegister {
  readonly asOf: string;
  readonly requests: RegisterEntry[];
  /** The `after` of the next page, when a `limit` left requests out. */
  readonly next?: string;
}

/** The DPO's register: requests by status and kind, as of now, whole or a page at a time. */
export class ListRequestsQuery extends Query<RequestRegister> {
  constructor(
    readonly asOf: string,
    readonly query: RegisterQuery = {},
  ) {
    super();
  }
}
