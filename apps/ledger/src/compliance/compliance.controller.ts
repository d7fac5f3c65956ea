import { Controller, Get, Inject } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { COMPLIANCE_CHECKS } from '#ledger/domain';
import { Roles } from '../auth/bearer-auth.guard';
import { GetComplianceQuery, type ComplianceReport } from './compliance.queries';

const CHECK_SCHEMA = {
  type: 'object',
  properties: {
    id: { type: 'string', enum: [...COMPLIANCE_CHECKS] },
    status: { type: 'string', enum: ['pass', 'fail'] },
    violations: { type: 'integer', description: 'how many persons break the check' },
    examples: { type: 'array', maxItems: 10, items: { type: 'string', format: 'uuid' }, description: 'subject ids' },
  },
};

@ApiTags('inspection')
@ApiBearerAuth()
@Controller('v1/compliance')
export class ComplianceController {
  constructor(@Inject(QueryBus) private readonly queries: QueryBus) {}

  @Get()
  @Roles('auditor', 'dpo')
  @ApiOperation({
    summary: 'The compliance checks over the recorded history, and refused envelopes by code (CONTRACT §9)',
    description:
      'Counted from read models kept by the projections, as of now; each check lists at most ten subject ids ' +
      'that break it. See docs/inspection.md, "Compliance checks".',
  })
  @ApiOkResponse({
    schema: {
      type: 'object',
      properties: {
        asOf: { type: 'string', format: 'date-time' },
        checks: { type: 'array', items: CHECK_SCHEMA },
        refusals: {
          type: 'object',
          additionalProperties: { type: 'integer' },
          example: { CONSENT_REQUIRED: 3, VALIDATION: 1 },
        },
      },
    },
  })
  async get(): Promise<ComplianceReport> {
    return this.queries.execute(new GetComplianceQuery(new Date().toISOString()));
  }
}
