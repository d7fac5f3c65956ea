import { Controller, Get, Inject, NotFoundException, Param, Query, Req, Res, StreamableFile } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOperation, ApiProduces, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import {
  ANSWER_LANGUAGES,
  isAnswerLanguage,
  portabilityCsv,
  portabilityExport,
  renderAccessAnswerHtml,
  renderAccessAnswerPdf,
  type AccessAnswer,
  type PortabilityExport,
} from '#ledger/reports';
import { AccessReason, ApiAccessReason, ValuesAccessReasonPipe } from '../auth/access-reason.pipe';
import { Roles } from '../auth/bearer-auth.guard';
import { CurrentPrincipal } from '../auth/principal.decorator';
import type { LedgerConfig } from '../config/ledger-config';
import type { Principal } from '../config/secrets';
import { InputValidationError, ReadOnlyInstanceError } from '../http/errors';
import { SubjectIdPipe } from '../http/subject-id.pipe';
import { LEDGER_CONFIG } from '../modules/tokens';
import { AnswerAccessRequestCommand, GetAccessAnswerQuery, GetPortableFieldsQuery } from './access-report.queries';

const uuid = new SubjectIdPipe();
const languageOf = (lang: string | undefined) => {
  const language = lang ?? 'nb';
  if (!isAnswerLanguage(language))
    throw new InputValidationError([{ path: 'lang', message: `lang must be one of ${ANSWER_LANGUAGES.join(', ')}` }]);
  return language;
};

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** A request id, lowercase as the ledger keeps ids. */
const requestIdOf = (requestId: string | undefined): string | undefined => {
  if (requestId === undefined) return undefined;
  if (!UUID.test(requestId))
    throw new InputValidationError([{ path: 'requestId', message: 'requestId must be a UUID' }]);
  return requestId.toLowerCase();
};

@ApiTags('inspection')
@ApiBearerAuth()
@ApiAccessReason()
@Controller('v1/subjects')
export class AccessReportController {
  constructor(
    @Inject(QueryBus) private readonly queries: QueryBus,
    @Inject(CommandBus) private readonly commands: CommandBus,
    @Inject(LEDGER_CONFIG) private readonly config: LedgerConfig,
  ) {}

  @Get(':subjectId/access-report')
  @Roles('dpo')
  @ApiOperation({
    summary: "The answer to a person's access request (Art. 15, CONTRACT §9); the read is logged",
    description:
      'JSON by default; a printable HTML page with Accept: text/html, a PDF with Accept: application/pdf. ' +
      'Bokmål unless lang=en. With requestId of an open access request, that request is recorded as answered.',
  })
  @ApiQuery({ name: 'lang', required: false, enum: ANSWER_LANGUAGES })
  @ApiQuery({ name: 'requestId', required: false, description: 'an open access request of this person' })
  @ApiProduces('application/json', 'text/html', 'application/pdf')
  @ApiResponse({ status: 200, description: 'the answer', schema: { $ref: '#/components/schemas/AccessAnswer' } })
  @ApiResponse({ status: 404, description: 'unknown subject' })
  @ApiResponse({ status: 422, description: 'NO_SUCH_REQUEST: requestId is not an open access request of this person' })
  async accessReport(
    @Param('subjectId', uuid) subjectId: string,
    @Query('lang') lang: string | undefined,
    @Query('requestId') requestId: string | undefined,
    @CurrentPrincipal() principal: Principal,
    @AccessReason(ValuesAccessReasonPipe) reason: string | null,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ): Promise<AccessAnswer | string | StreamableFile> {
    const language = languageOf(lang);
    const request = requestIdOf(requestId);
    // Answering a request is a write: a read instance cannot show it afterwards.
    if (request !== undefined && this.config.LEDGER_ROLE !== 'all') throw new ReadOnlyInstanceError();
    const now = new Date().toISOString();
    const answer = await this.queries.execute(
      new GetAccessAnswerQuery(subjectId, language, request, now, { principal, reason }),
    );
    if (!answer) throw new NotFoundException('unknown subject');
    if (request !== undefined)
      await this.commands.execute(new AnswerAccessRequestCommand(subjectId, request, now, principal));
    res.vary('Accept');
    const type = req.accepts(['application/json', 'text/html', 'application/pdf']);
    if (type === 'text/html') {
      res.type('text/html; charset=utf-8');
      return renderAccessAnswerHtml(answer);
    }
    if (type !== 'application/pdf') return answer;
    return new StreamableFile(await renderAccessAnswerPdf(answer), {
      type: 'application/pdf',
      disposition: `inline; filename="${language === 'nb' ? 'innsyn' : 'access'}.pdf"`,
    });
  }

  @Get(':subjectId/export')
  @Roles('dpo')
  @ApiOperation({
    summary: 'The portability export (Art. 20, CONTRACT §9): what the person gave under consent or contract; logged',
    description:
      'JSON { subjectId, exportedAt, fields } by default; CSV (field,value,collectedAt) with Accept: text/csv.',
  })
  @ApiProduces('application/json', 'text/csv')
  @ApiResponse({ status: 200, description: 'the export', schema: { $ref: '#/components/schemas/PortabilityExport' } })
  @ApiResponse({ status: 404, description: 'unknown subject' })
  async export(
    @Param('subjectId', uuid) subjectId: string,
    @CurrentPrincipal() principal: Principal,
    @AccessReason(ValuesAccessReasonPipe) reason: string | null,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ): Promise<PortabilityExport | string> {
    const fields = await this.queries.execute(new GetPortableFieldsQuery(subjectId, { principal, reason }));
    if (!fields) throw new NotFoundException('unknown subject');
    res.vary('Accept');
    if (req.accepts(['application/json', 'text/csv']) !== 'text/csv')
      return portabilityExport(subjectId, fields, new Date().toISOString());
    res.type('text/csv; charset=utf-8');
    return portabilityCsv(fields);
  }
}
