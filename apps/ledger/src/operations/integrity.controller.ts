import { Controller, Get, Inject } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { verifyStore } from '#ledger/event-store';
import { Roles } from '../auth/bearer-auth.guard';
import { LedgerRuntime } from '../runtime/ledger-runtime';

@ApiTags('operations')
@ApiBearerAuth()
@Controller('v1/integrity')
export class IntegrityController {
  constructor(@Inject(LedgerRuntime) private readonly runtime: LedgerRuntime) {}

  /** Every stream's hash chain, as `npm run ledger -- verify` checks it. */
  @Get()
  @Roles('ops')
  @ApiOperation({
    summary: "Verify every stream's hash chain; the first broken link (stream, revision) of each broken stream",
  })
  async verify() {
    const started = Date.now();
    const { streams, events, broken } = await verifyStore(this.runtime.store);
    return { ok: broken.length === 0, streams, events, broken, tookMs: Date.now() - started };
  }
}
