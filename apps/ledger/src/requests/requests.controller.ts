import { Controller, Get, Inject, Query } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { REQUEST_KINDS } from '#ledger/domain';
import type { RegisterStatus } from '#ledger/projections';
import { Roles } from '../auth/bearer-auth.guard';
import { InputValidationError } from '../http/errors';
import { ListRequestsQuery } from './requests.queries';

const STATUSES: readonly string[] = ['open', 'overdue', 'answered'];

@ApiTags('requests')
@ApiBearerAuth()
@Controller('v1/requests')
export class RequestsController {
  constructor(@Inject(QueryBus) private readonly queries: QueryBus) {}

  @Get()
  @Roles('dpo')
  @ApiOperation({
    summary: "The DPO's register of data-subject requests (CONTRACT §8), by due date",
    description: 'overdue: open after its due date ended in Europe/Oslo',
  })
  @ApiQuery({ name: 'status', required: false, enum: STATUSES })
  @ApiQuery({ name: 'kind', required: false, enum: REQUEST_KINDS })
  async list(@Query('status') status: string | undefined, @Query('kind') kind: string | undefined) {
    const problems = [
      ...(status !== undefined && !STATUSES.includes(status)
        ? [{ path: 'status', message: `status must be one of ${STATUSES.join(', ')}` }]
        : []),
      ...(kind !== undefined && !(REQUEST_KINDS as readonly string[]).includes(kind)
        ? [{ path: 'kind', message: `kind must be one of ${REQUEST_KINDS.join(', ')}` }]
        : []),
    ];
    if (problems.length > 0) throw new InputValidationError(problems);
    const asOf = new Date().toISOString();
    return this.queries.execute(new ListRequestsQuery(asOf, status as RegisterStatus | undefined, kind));
  }
}
