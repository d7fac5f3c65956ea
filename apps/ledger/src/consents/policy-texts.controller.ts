import { Controller, Get, Header, Inject, NotFoundException, Param } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { findPolicyVersion, type Policy } from '#ledger/domain';
import { Roles } from '../auth/bearer-auth.guard';
import type { LedgerConfig } from '../config/ledger-config';
import { DEFAULT_POLICY_FILE } from '../config/policy-file';
import { LEDGER_CONFIG, POLICY } from '../modules/tokens';

/**
 * The text of a policy version, the privacy notice a consent was given under: beside a consent's
 * `policyTextSha256`, the reader can see what the person agreed to and check that it is that text.
 */
@ApiTags('subjects')
@ApiBearerAuth()
@Controller('v1/policy/versions')
export class PolicyTextsController {
  constructor(
    @Inject(POLICY) private readonly policy: Policy,
    @Inject(LEDGER_CONFIG) private readonly config: LedgerConfig,
  ) {}

  @Get(':version/text')
  @Roles('auditor', 'dpo')
  @Header('Content-Type', 'text/plain; charset=utf-8')
  @ApiOperation({ summary: "A policy version's text, whose SHA-256 the consents name (policyTextSha256)" })
  @ApiResponse({ status: 404, description: 'the policy lists no such version' })
  async text(@Param('version') version: string): Promise<string> {
    const found = findPolicyVersion(this.policy, version);
    if (!found) throw new NotFoundException('the policy lists no such version');
    // Checked against its hash at start; the file beside the policy is the one the start read.
    const file = resolve(this.config.LEDGER_POLICY ?? DEFAULT_POLICY_FILE());
    return readFile(resolve(dirname(file), found.textFile), 'utf8');
  }
}
