import {
  Body,
  Controller,
  HttpCode,
  Inject,
  Injectable,
  Logger,
  Post,
  UseGuards,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
  type PipeTransform,
} from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import { IsBoolean, IsISO8601, IsOptional } from 'class-validator';
import { safeErrorSummary } from '#ledger/postgres';
import { Roles } from '../auth/bearer-auth.guard';
import { InputValidationError } from '../http/errors';
import { validated } from '../http/validated';
import { WritesGuard } from '../http/writes.guard';
import type { LedgerConfig } from '../config/ledger-config';
import { LEDGER_CONFIG } from '../modules/tokens';
import { SweepRetentionCommand } from './sweep-retention.command';

/** How far past now a sweep may judge: a clock a little ahead, never a date that erases everyone. */
const FUTURE_SLACK_MS = 5 * 60_000;

export class SweepRequestDto {
  /** The moment to judge retention at, at most five minutes from now. @defaultValue now */
  @IsOptional() @IsISO8601({ strict: true }) asOf?: string;
  /** true: answer who would be erased and who refused, and erase nobody. @defaultValue false */
  @IsOptional() @IsBoolean() dryRun?: boolean;
}

@Injectable()
class SweepRequestPipe implements PipeTransform<unknown, SweepRequestDto> {
  transform(body: unknown): SweepRequestDto {
    const dto = validated(SweepRequestDto, body);
    if (dto.asOf !== undefined && Date.parse(dto.asOf) > Date.now() + FUTURE_SLACK_MS) {
      throw new InputValidationError([{ path: 'asOf', message: 'asOf must not be later than now plus 5 minutes' }]);
    }
    return dto;
  }
}

@ApiTags('erasure')
@ApiBearerAuth()
@Controller('v1/retention')
export class RetentionController {
  constructor(@Inject(CommandBus) private readonly commands: CommandBus) {}

  @Post('sweep')
  @HttpCode(200)
  @Roles('ops')
  @UseGuards(WritesGuard)
  @ApiOperation({
    summary: 'Erase everyone past the retention date with no legal hold; also runs daily by itself',
    description:
      '`asOf` later than now plus 5 minutes is 400. ' +
      '`dryRun: true` answers `{ asOf, wouldErase, wouldRefuse }` and erases nobody.',
  })
  @ApiBody({
    schema: {
      type: 'object',
      properties: { asOf: { type: 'string', format: 'date-time' }, dryRun: { type: 'boolean', default: false } },
    },
  })
  async sweep(@Body(SweepRequestPipe) body: SweepRequestDto) {
    const asOf = new Date(body.asOf ?? Date.now()).toISOString();
    const { erased, refused } = await this.commands.execute(new SweepRetentionCommand(asOf, body.dryRun === true));
    return body.dryRun ? { asOf, wouldErase: erased, wouldRefuse: refused } : { asOf, erased, refused };
  }
}

/** Runs the sweep once a day (the first an hour after start), as the policy promises; not on a read instance. */
@Injectable()
export class DailyRetentionSweep implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('retention');
  private timer: NodeJS.Timeout | null = null;

  constructor(
    @Inject(CommandBus) private readonly commands: CommandBus,
    @Inject(LEDGER_CONFIG) private readonly config: LedgerConfig,
  ) {}

  onApplicationBootstrap(): void {
    if (this.config.LEDGER_ROLE !== 'all') return;
    const run = () => {
      this.commands.execute(new SweepRetentionCommand(new Date().toISOString())).catch((error: unknown) => {
        this.logger.error(`daily retention sweep failed: ${safeErrorSummary(error)}`);
      });
      this.timer = setTimeout(run, 24 * 3600_000).unref();
    };
    this.timer = setTimeout(run, 3600_000).unref();
  }

  onApplicationShutdown(): void {
    if (this.timer) clearTimeout(this.timer);
  }
}
