import { Controller, Get, Inject, Query, Req, Res } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOperation, ApiProduces, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { Roles } from '../auth/bearer-auth.guard';
import { InputValidationError } from '../http/errors';
import type { ProcessingRecord } from './processing-record';
import { renderProcessingRecordHtml } from './processing-record.html';
import { GetProcessingRecordQuery } from './processing-record.queries';
import { RECORD_LANGUAGES, isRecordLanguage } from './processing-record.texts';

@ApiTags('inspection')
@ApiBearerAuth()
@Controller('v1/processing-record')
export class ProcessingRecordController {
  constructor(@Inject(QueryBus) private readonly queries: QueryBus) {}

  @Get()
  @Roles('auditor', 'dpo')
  @ApiOperation({
    summary: 'The record of processing activities (Art. 30, CONTRACT §9): one activity per purpose',
    description: 'JSON by default; a printable HTML document with Accept: text/html. Bokmål unless lang=en.',
  })
  @ApiQuery({ name: 'lang', required: false, enum: RECORD_LANGUAGES })
  @ApiProduces('application/json', 'text/html')
  async get(
    @Query('lang') lang: string | undefined,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ): Promise<ProcessingRecord | string> {
    const language = lang ?? 'nb';
    if (!isRecordLanguage(language)) {
      throw new InputValidationError([{ path: 'lang', message: `lang must be one of ${RECORD_LANGUAGES.join(', ')}` }]);
    }
    const record = await this.queries.execute(new GetProcessingRecordQuery(language, new Date().toISOString()));
    res.vary('Accept');
    if (req.accepts(['application/json', 'text/html']) !== 'text/html') return record;
    res.type('text/html; charset=utf-8');
    return renderProcessingRecordHtml(record);
  }
}
