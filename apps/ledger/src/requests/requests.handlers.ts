import { Inject } from '@nestjs/common';
import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { osloDate } from '#ledger/domain';
import { RequestRegisterReader } from '#ledger/projections';
import { writeCursor } from './register-cursor';
import { ListRequestsQuery, type RequestRegister } from './requests.queries';

@QueryHandler(ListRequestsQuery)
export class ListRequestsHandler implements IQueryHandler<ListRequestsQuery, RequestRegister> {
  constructor(@Inject(RequestRegisterReader) private readonly register: RequestRegisterReader) {}

  async execute({ asOf, query }: ListRequestsQuery): Promise<RequestRegister> {
    // Overdue is judged by the calendar day in Oslo: the whole due date still counts as in time.
    const page = await this.register.list(osloDate(asOf), query);
    return { asOf, requests: page.requests, ...(page.next ? { next: writeCursor(page.next) } : {}) };
  }
}
