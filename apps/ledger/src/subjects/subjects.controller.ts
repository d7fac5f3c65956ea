import { Controller, Get, Inject, NotFoundException, Param, Query } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOperation, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import { SUBJECT_REF, normalizeRef, refProblem } from '#ledger/envelope';
import { AccessReason, AccessReasonPipe, ApiAccessReason, ValuesAccessReasonPipe } from '../auth/access-reason.pipe';
import { Roles } from '../auth/bearer-auth.guard';
import { CurrentPrincipal } from '../auth/principal.decorator';
import type { LedgerConfig } from '../config/ledger-config';
import type { Principal } from '../config/secrets';
import { LEDGER_CONFIG } from '../modules/tokens';
import { InputValidationError } from '../http/errors';
import { SubjectIdPipe } from '../http/subject-id.pipe';
import {
  FindSubjectByRefQuery,
  GetSubjectAccessesQuery,
  GetSubjectStateQuery,
  GetSubjectTrailQuery,
  type ReadContext,
} from './subject.queries';

const uuid = new SubjectIdPipe();

const readContext = (principal: Principal, reason: string | null): ReadContext => ({ principal, reason });

@ApiTags('subjects')
@ApiBearerAuth()
@ApiAccessReason()
@Controller('v1/subjects')
export class SubjectsController {
  constructor(
    @Inject(QueryBus) private readonly queries: QueryBus,
    @Inject(LEDGER_CONFIG) private readonly config: LedgerConfig,
  ) {}

  @Get()
  @Roles('auditor', 'dpo')
  @ApiOperation({ summary: 'Find a subject by an upstream ref' })
  @ApiQuery({ name: 'ref', example: 'webcruiter:candidate:4711' })
  @ApiResponse({ status: 200, description: '{ subjectId }' })
  @ApiResponse({ status: 404, description: 'no subject has this ref (never had, or was erased)' })
  async findByRef(
    @Query('ref') ref: string | undefined,
    @CurrentPrincipal() principal: Principal,
    @AccessReason(AccessReasonPipe) reason: string | null,
  ) {
    const problem = !ref ? 'ref is required' : refProblem(ref);
    if (problem) throw new InputValidationError([{ path: 'ref', message: problem }]);
    // In NFC, the form recorded envelopes carry their refs in.
    const normalized = normalizeRef(ref!);
    if (!SUBJECT_REF.test(normalized)) {
      throw new InputValidationError([{ path: 'ref', message: 'ref must look like <system>:<kind>:<local id>' }]);
    }
    const subjectId = await this.queries.execute(new FindSubjectByRefQuery(normalized, readContext(principal, reason)));
    if (!subjectId) throw new NotFoundException('no subject with this ref');
    return { subjectId };
  }

  @Get(':subjectId')
  @Roles('auditor', 'dpo')
  @ApiOperation({ summary: "A person's current data state (CONTRACT §2); the read is logged" })
  @ApiQuery({
    name: 'values',
    required: false,
    enum: ['all', 'none'],
    description: "none: each field's purpose, basis, source and dates without its value (default all)",
  })
  @ApiResponse({ status: 404, description: 'unknown subject' })
  async state(
    @Param('subjectId', uuid) subjectId: string,
    @Query('values') values: string | undefined,
    @CurrentPrincipal() principal: Principal,
    @AccessReason() rawReason: string | undefined,
  ) {
    if (values !== undefined && values !== 'all' && values !== 'none') {
      throw new InputValidationError([{ path: 'values', message: 'values must be all or none' }]);
    }
    const withValues = values !== 'none';
    // Only a read that returns values needs the reason LEDGER_ACCESS_REASON=required asks for.
    const reason = (withValues ? new ValuesAccessReasonPipe(this.config) : new AccessReasonPipe()).transform(rawReason);
    const context = readContext(principal, reason);
    const view = await this.queries.execute(new GetSubjectStateQuery(subjectId, context, withValues));
    if (!view) throw new NotFoundException('unknown subject');
    return view;
  }

  @Get(':subjectId/trail')
  @Roles('auditor', 'dpo')
  @ApiOperation({
    summary:
      "A person's audit trail: every event in order, hashes, no personal values, " +
      'and whether its hash chain verifies (`integrity`)',
  })
  @ApiResponse({ status: 404, description: 'unknown subject' })
  async trail(
    @Param('subjectId', uuid) subjectId: string,
    @CurrentPrincipal() principal: Principal,
    @AccessReason(AccessReasonPipe) reason: string | null,
  ) {
    const trail = await this.queries.execute(new GetSubjectTrailQuery(subjectId, readContext(principal, reason)));
    if (!trail) throw new NotFoundException('unknown subject');
    return trail;
  }

  @Get(':subjectId/accesses')
  @Roles('dpo')
  @ApiOperation({ summary: "Who read this person's data, when and why (the access log)" })
  async accesses(@Param('subjectId', uuid) subjectId: string) {
    return { subjectId, accesses: await this.queries.execute(new GetSubjectAccessesQuery(subjectId)) };
  }
}
