import {
  Body,
  Controller,
  Get,
  HttpCode,
  Inject,
  NotFoundException,
  Param,
  Post,
  Res,
  UseGuards,
} from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Roles } from '../auth/bearer-auth.guard';
import { CurrentPrincipal } from '../auth/principal.decorator';
import type { Principal } from '../config/secrets';
import { InputValidationError } from '../http/errors';
import { validated } from '../http/validated';
import { WritesGuard } from '../http/writes.guard';
import { BreachAffectedQuery, ListBreachesQuery, NotifyBreachCommand, RecordBreachCommand } from './breaches.commands';
import { NotifyBreachDto, RecordBreachDto } from './breaches.dto';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const breachIdOf = (id: string): string => {
  if (!UUID.test(id)) throw new InputValidationError([{ path: 'id', message: 'id must be a UUID' }]);
  return id.toLowerCase();
};

const iso = (at: string): string => new Date(at).toISOString();

interface StatusReply {
  status(code: number): unknown;
}

@ApiTags('breaches')
@ApiBearerAuth()
@Controller('v1/breaches')
export class BreachesController {
  constructor(
    @Inject(CommandBus) private readonly commands: CommandBus,
    @Inject(QueryBus) private readonly queries: QueryBus,
  ) {}

  @Post()
  @Roles('dpo')
  @UseGuards(WritesGuard)
  @ApiOperation({
    summary: 'Record a personal data breach in the breach log (Art. 33(5))',
    description:
      '201 recorded; 200 `duplicate` for the same content again; 409 ID_REUSED for other content under its id; ' +
      '422 UNKNOWN_CATEGORY for a category the policy does not have.',
  })
  async record(
    @Body() body: unknown,
    @CurrentPrincipal() principal: Principal,
    @Res({ passthrough: true }) reply: StatusReply,
  ) {
    const dto = validated(RecordBreachDto, body);
    if (Date.parse(dto.periodFrom) > Date.parse(dto.periodTo)) {
      throw new InputValidationError([{ path: 'periodTo', message: 'periodTo must not be before periodFrom' }]);
    }
    const facts = {
      id: dto.id.toLowerCase(),
      discoveredAt: iso(dto.discoveredAt),
      periodFrom: iso(dto.periodFrom),
      periodTo: iso(dto.periodTo),
      nature: dto.nature,
      systems: [...new Set(dto.systems)].sort(),
      categories: [...new Set(dto.categories)].sort(),
      consequences: dto.consequences,
      measures: dto.measures,
    };
    const { status } = await this.commands.execute(new RecordBreachCommand(facts, principal.name));
    reply.status(status === 'duplicate' ? 200 : 201);
    return { id: facts.id, status };
  }

  @Post(':id/notifications')
  @Roles('dpo')
  @UseGuards(WritesGuard)
  @ApiOperation({ summary: 'Record that the authority or the persons were notified of a breach; 404 unknown breach' })
  async notify(@Param('id') id: string, @Body() body: unknown, @CurrentPrincipal() principal: Principal) {
    const breachId = breachIdOf(id);
    const dto = validated(NotifyBreachDto, body);
    const notification = { to: dto.to, at: iso(dto.at), reference: dto.reference ?? null };
    const { status } = await this.commands.execute(new NotifyBreachCommand(breachId, notification, principal.name));
    if (status === 'unknown') throw new NotFoundException('no such breach');
    return { id: breachId, status };
  }

  @Get()
  @HttpCode(200)
  @Roles('dpo', 'auditor')
  @ApiOperation({
    summary: 'The breach log with notifications and notifiedWithin72h',
    description: 'notifiedWithin72h: null while the authority is not notified and 72 hours have not passed.',
  })
  list() {
    return this.queries.execute(new ListBreachesQuery(new Date().toISOString()));
  }

  @Get(':id/affected')
  @Roles('dpo')
  @ApiOperation({
    summary: 'The persons a breach touched (subject ids and categories, no values)',
    description:
      'Data of its categories collected from, or disclosed to, its systems by the end of its period, ' +
      'and not erased before periodFrom.',
  })
  async affected(@Param('id') id: string) {
    const answer = await this.queries.execute(new BreachAffectedQuery(breachIdOf(id)));
    if (answer === null) throw new NotFoundException('no such breach');
    return answer;
  }
}
