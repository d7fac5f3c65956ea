import { Inject } from '@nestjs/common';
import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { osloDate } from '#ledger/domain';
import { RequestRegisterReader } from '#ledger/projections';
import { ListRequestsQuery, type RequestRegister } from './requests.queries';

@QueryHandler(ListRequestsQuery)
export class ListRequestsHandler implements IQueryHandler<ListRequestsQuery, RequestRegister> {
  constructor(@Inject(RequestRegisterReader) private readonly register: RequestRegisterReader) {}

  async execute({ asOf, status, kind }: ListRequestsQuery): Promise<RequestRegister> {
    // Overdue is judged by the calendar day in Oslo: the whole due date still counts as in time.
    return { asOf, requests: await this.register.list(osloDate(asOf), status, kind) };
  }
}
