import { Body, Controller, HttpCode, Inject, Post, UseGuards } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { InboundEnvelope } from '#ledger/domain';
import { Roles } from '../auth/bearer-auth.guard';
import { WritesGuard } from '../http/writes.guard';
import { EnvelopeBatchPipe } from './envelope-batch.pipe';
import { RecordEnvelopesCommand } from './record-envelopes.command';

@ApiTags('events')
@ApiBearerAuth()
@Controller('v1/events')
export class EventsController {
  constructor(@Inject(CommandBus) private readonly commands: CommandBus) {}

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
    const result = await this.commands.execute(new RecordEnvelopesCommand(envelopes, 'http'));
    return {
      results: result.outcomes.map((o) => ({
        id: o.id,
        status: o.status,
        subjectId: 'subjectId' in o ? o.subjectId : undefined,
      })),
    };
  }
}
