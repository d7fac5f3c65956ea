import { Controller, Get, Inject } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { QueryBus } from '@nestjs/cqrs';
import { Roles } from '../auth/bearer-auth.guard';
import { VerifyChainsQuery } from './verify-chains.query';

@ApiTags('operations')
@ApiBearerAuth()
@Controller('v1/integrity')
export class IntegrityController {
  constructor(@Inject(QueryBus) private readonly queries: QueryBus) {}

  /** Every stream's hash chain, as `npm run ledger -- verify` checks it. */
  @Get()
  @Roles('ops')
  @ApiOperation({
    summary: "Verify every stream's hash chain; the first broken link (stream, revision) of each broken stream",
  })
  async verify() {
    const started = Date.now();
    const { streams, events, broken } = await this.queries.execute(new VerifyChainsQuery());
    return { ok: broken.length === 0, streams, events, broken, tookMs: Date.now() - started };
  }
}
