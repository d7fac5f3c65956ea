import { Controller, Get, Inject, NotFoundException, Param } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { AccessReason, ApiAccessReason, ValuesAccessReasonPipe } from '../auth/access-reason.pipe';
import { Roles } from '../auth/bearer-auth.guard';
import { CurrentPrincipal } from '../auth/principal.decorator';
import type { Principal } from '../config/secrets';
import { SubjectIdPipe } from '../http/subject-id.pipe';
import { GetSubjectConsentsQuery } from './consents.queries';

@ApiTags('subjects')
@ApiBearerAuth()
@ApiAccessReason()
@Controller('v1/subjects')
export class ConsentsController {
  constructor(@Inject(QueryBus) private readonly queries: QueryBus) {}

  @Get(':subjectId/consents')
  @Roles('auditor', 'dpo')
  @ApiOperation({
    summary:
      "The proof of a person's consents (CONTRACT §8): per purpose, oldest first, with the policy text's " +
      'SHA-256 and the evidence; the read is logged',
  })
  @ApiResponse({ status: 404, description: 'unknown subject' })
  async consents(
    @Param('subjectId', new SubjectIdPipe()) subjectId: string,
    @CurrentPrincipal() principal: Principal,
    @AccessReason(ValuesAccessReasonPipe) reason: string | null,
  ) {
    const proof = await this.queries.execute(new GetSubjectConsentsQuery(subjectId, { principal, reason }));
    if (!proof) throw new NotFoundException('unknown subject');
    return proof;
  }
}
