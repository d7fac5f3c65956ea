import { Controller, Get, Inject, NotFoundException, Param } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { certificateOf } from '#ledger/erasure';
import { Roles } from '../auth/bearer-auth.guard';
import { SubjectIdPipe } from '../http/subject-id.pipe';
import { LedgerRuntime } from '../runtime/ledger-runtime';

@ApiTags('erasure')
@ApiBearerAuth()
@Controller('v1/erasures')
export class ErasuresController {
  constructor(@Inject(LedgerRuntime) private readonly runtime: LedgerRuntime) {}

  /** Holds no personal value, so it is not an access to the person's data and is not logged as one. */
  @Get(':subjectId')
  @Roles('auditor', 'dpo')
  @ApiOperation({
    summary:
      'The erasure certificate: what was erased, when, why, which keys were destroyed, who must be told and who confirmed, and whether the trail it is folded from verifies',
  })
  @ApiResponse({ status: 404, description: 'unknown subject' })
  async certificate(@Param('subjectId', SubjectIdPipe) subjectId: string) {
    const { entries, integrity } = await this.runtime.trailReader.read(subjectId);
    if (entries.length === 0) throw new NotFoundException('unknown subject');
    const certificate = certificateOf(subjectId, entries);
    // Folded from the trail alone, so it says whether that trail verifies.
    return {
      ...certificate,
      keysDestroyed: await this.runtime.keyring.destroyedKeys(subjectId),
      trailIntegrity: integrity,
    };
  }
}
