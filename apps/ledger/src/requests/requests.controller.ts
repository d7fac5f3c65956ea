import { Controller, Get, Inject, Injectable, Query, type PipeTransform } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOperation, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsIn, IsInt, IsOptional, Max, Min } from 'class-validator';
import { REQUEST_KINDS } from '#ledger/domain';
import type { RegisterStatus } from '#ledger/projections';
import { Roles } from '../auth/bearer-auth.guard';
import { queryInt, validated } from '../http/validated';
import { IsRegisterCursor, readCursor } from './register-cursor';
import { ListRequestsQuery } from './requests.queries';

const STATUSES: readonly RegisterStatus[] = ['open', 'overdue', 'answered'];
const MAX_LIMIT = 1000;

/** The query of GET /v1/requests; a parameter given twice arrives as a list and is refused. */
export class RequestsQueryDto {
  @IsOptional() @IsIn(STATUSES, { message: `status must be one of ${STATUSES.join(', ')}` }) status?: RegisterStatus;
  @IsOptional() @IsIn(REQUEST_KINDS, { message: `kind must be one of ${REQUEST_KINDS.join(', ')}` }) kind?: string;
  /** Without it, the whole register, as before pages existed. */
  @IsOptional() @Transform(queryInt) @IsInt() @Min(1) @Max(MAX_LIMIT) limit?: number;
  @IsOptional() @IsRegisterCursor() after?: string;
}

@Injectable()
class RequestsQueryPipe implements PipeTransform<unknown, RequestsQueryDto> {
  transform(query: unknown): RequestsQueryDto {
    return validated(RequestsQueryDto, query);
  }
}

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
  @ApiQuery({ name: 'limit', required: false, description: `1 to ${MAX_LIMIT}; without it, every request` })
  @ApiQuery({ name: 'after', required: false, description: 'the `next` of the page before' })
  @ApiResponse({ status: 200, description: '{ asOf, requests: [ { …, subjectId } ], next? }' })
  list(@Query(RequestsQueryPipe) query: RequestsQueryDto) {
    const asOf = new Date().toISOString();
    return this.queries.execute(
      new ListRequestsQuery(asOf, {
        ...(query.status ? { status: query.status } : {}),
        ...(query.kind ? { kind: query.kind } : {}),
        ...(query.limit ? { limit: query.limit } : {}),
        // Validated above: the cursor reads.
        ...(query.after ? { after: readCursor(query.after)! } : {}),
      }),
    );
  }
}
