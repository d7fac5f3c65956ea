import { Query } from '@nestjs/cqrs';
import type { RegisterEntry, RegisterStatus } from '#ledger/projections';

export interface RequestRegister {
  readonly asOf: string;
  readonly requests: RegisterEntry[];
}

/** The DPO's register: requests by status and kind, as of now. */
export class ListRequestsQuery extends Query<RequestRegister> {
  constructor(
    readonly asOf: string,
    readonly status?: RegisterStatus,
    readonly kind?: string,
  ) {
    super();
  }
}
