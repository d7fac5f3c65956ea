import { Controller, Get, Inject, Injectable, Query, type PipeTransform } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsInt, IsISO8601, IsOptional, IsUUID, Matches, Max, Min } from 'class-validator';
import { Roles } from '../auth/bearer-auth.guard';
import { TOKEN_NAME } from '../config/secrets';
import { queryInt, validated } from '../http/validated';
import { AccessLogReader } from './access-log.reader';

const DEFAULT_LIMIT = 100;
const MAX_LIMIT = 1000;

/** The query of GET /v1/access-log; a parameter given twice arrives as a list and is refused. */
export class AccessLogQueryDto {
  @IsOptional() @Matches(TOKEN_NAME, { message: 'name must be a token name' }) name?: string;
  @IsOptional() @IsUUID('all', { message: 'subjectId must be a UUID' }) subjectId?: string;
  @IsOptional() @IsISO8601({ strict: true }, { message: 'from must be an ISO-8601 date or time' }) from?: string;
  @IsOptional() @IsISO8601({ strict: true }, { message: 'to must be an ISO-8601 date or time' }) to?: string;
  @IsOptional() @Matches(/^[1-9]\d{0,17}$/, { message: "before must be a page's next cursor" }) before?: string;
  /** @defaultValue 100 */
  @Transform(queryInt) @IsInt() @Min(1) @Max(MAX_LIMIT) limit: number = DEFAULT_LIMIT;
}

@Injectable()
class AccessLogQueryPipe implements PipeTransform<unknown, AccessLogQueryDto> {
  transform(query: unknown): AccessLogQueryDto {
    return validated(AccessLogQueryDto, query);
  }
}

@ApiTags('access log')
@ApiBearerAuth()
@Controller('v1/access-log')
export class AccessLogController {
  constructor(@Inject(AccessLogReader) private readonly reader: AccessLogReader) {}

  @Get()
  @Roles('dpo')
  @ApiOperation({
    summary: "Who read whose data, across people, newest first (reasons only in each person's own access log)",
  })
  @ApiQuery({ name: 'name', required: false, description: "the token's name" })
  @ApiQuery({ name: 'subjectId', required: false })
  @ApiQuery({ name: 'from', required: false, description: 'ISO-8601, inclusive' })
  @ApiQuery({ name: 'to', required: false, description: 'ISO-8601, inclusive' })
  @ApiQuery({ name: 'limit', required: false, description: `1 to ${MAX_LIMIT}; default ${DEFAULT_LIMIT}` })
  @ApiQuery({
    name: 'before',
    required: false,
    description: 'the `next` of the page before: the entries older than it',
  })
  @ApiResponse({ status: 200, description: '{ entries: [ { at, name, role, subjectId, resource } ], next }' })
  list(@Query(AccessLogQueryPipe) query: AccessLogQueryDto) {
    return this.reader.list({ ...query, subjectId: query.subjectId?.toLowerCase() });
  }
}
