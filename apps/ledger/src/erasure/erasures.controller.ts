import { Controller, Get, Inject, NotFoundException, Param } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { QueryBus } from '@nestjs/cqrs';
import { Roles } from '../auth/bearer-auth.guard';
import { SubjectIdPipe } from '../http/subject-id.pipe';
import { GetErasureCertificateQuery } from './erasure-certificate.query';

@ApiTags('erasure')
@ApiBearerAuth()
@Controller('v1/erasures')
export class ErasuresController {
  constructor(@Inject(QueryBus) private readonly queries: QueryBus) {}

  /** Holds no personal value, so it is not an access to the person's data and is not logged as one. */
  @Get(':subjectId')
  @Roles('auditor', 'dpo')
  @ApiOperation({
    summary:
      'The erasure certificate: what was erased, when, why, which keys were destroyed, who must be told ' +
      'and who confirmed, and whether the trail it is folded from verifies',
  })
  @ApiResponse({ status: 404, description: 'unknown subject' })
  async certificate(@Param('subjectId', SubjectIdPipe) subjectId: string) {
    const certificate = await this.queries.execute(new GetErasureCertificateQuery(subjectId));
    if (!certificate) throw new NotFoundException('unknown subject');
    return certificate;
  }
}
