import { Body, Controller, HttpCode, Inject, Logger, Post, UseGuards } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { InboundEnvelope } from '#ledger/domain';
import { Roles } from '../auth/bearer-auth.guard';
import { WritesGuard } from '../http/writes.guard';
import { EnvelopeBatchPipe } from './envelope-batch.pipe';
import { BatchRejected, type RecordResult } from '#ledger/recording';
import { RefusalCounts } from '../compliance/refusal-counts';
import { LedgerMetrics } from '../metrics/ledger-metrics';
import { RecordEnvelopes } from './record-envelopes';
import { WriteBackpressure } from './write-backpressure';

@ApiTags('events')
@ApiBearerAuth()
@Controller('v1/events')
export class EventsController {
  private readonly logger = new Logger('ingest');

  constructor(
    @Inject(CommandBus) private readonly commands: CommandBus,
    @Inject(WriteBackpressure) private readonly backpressure: WriteBackpressure,
    @Inject(LedgerMetrics) private readonly metrics: LedgerMetrics,
    @Inject(RefusalCounts) private readonly refusals: RefusalCounts,
  ) {}

  @Post()
  @HttpCode(201)
  @Roles('ingest')
  @UseGuards(WritesGuard)
  @ApiOperation({ summary: 'Record one envelope, or a batch of up to 1,000, all or nothing (CONTRACT §1)' })
  @ApiBody({
    schema: { oneOf: [{ $ref: '#/components/schemas/Envelope' }, { $ref: '#/components/schemas/EnvelopeBatch' }] },
  })
  @ApiResponse({ status: 201, description: '{ results: [ { id, status: recorded | duplicate, subjectId } ] }' })
  @ApiResponse({ status: 400, description: '{ error: "validation", details: [ { path, message } ] }' })
  @ApiResponse({
    status: 409,
    description: '{ error: "conflict", code: "ID_REUSED" }: an id recorded before with other content',
  })
  @ApiResponse({ status: 422, description: '{ error: "rule", code, message }: CONSENT_REQUIRED, RESTRICTED, …' })
  @ApiResponse({
    status: 421,
    description: '{ error: "misdirected", code: "READ_ONLY_INSTANCE" }: this instance only serves reads',
  })
  async record(@Body(EnvelopeBatchPipe) envelopes: InboundEnvelope[]) {
    const result = await this.backpressure.around(() => this.recordAllOrNothing(envelopes));
    return {
      results: result.outcomes.map((o) => ({
        id: o.id,
        status: o.status,
        subjectId: 'subjectId' in o ? o.subjectId : undefined,
      })),
    };
  }

  private async recordAllOrNothing(envelopes: InboundEnvelope[]): Promise<RecordResult> {
    try {
      const result = await this.commands.execute(new RecordEnvelopes(envelopes, 'all-or-nothing'));
      this.metrics.countOutcomes(envelopes, result, 'http');
      return result;
    } catch (error) {
      if (error instanceof BatchRejected) {
        this.metrics.rejections.inc({ code: error.error.code, channel: 'http' });
        await this.refusals.count(error.error.code);
        const id = envelopes[error.index]?.id;
        this.logger.log(`batch of ${envelopes.length} refused: ${error.error.code} at events[${error.index}] (${id})`);
      }
      throw error;
    }
  }
}
