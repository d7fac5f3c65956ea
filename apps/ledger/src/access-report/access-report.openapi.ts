import { ART15_ITEMS } from '#ledger/reports';

const article = Object.fromEntries(ART15_ITEMS.map(([item, key]) => [key, item]));
const part = (key: string, type: 'array' | 'object', description: string) => ({
  type,
  ...(type === 'array' ? { items: { type: 'object' } } : {}),
  description: `Art. ${article[key]}: ${description}`,
});

/** The schemas of the access answer and the export, for the OpenAPI document (openapi.ts). */
export const ACCESS_REPORT_SCHEMAS = {
  AccessAnswer: {
    type: 'object',
    description:
      "The answer to a person's access request, in their language (lang), with no id they cannot use. " +
      'Every point of Art. 15 is a property; `erasures` says when and why data was erased.',
    properties: {
      lang: { type: 'string', enum: ['nb', 'en'] },
      generatedAt: { type: 'string', format: 'date-time' },
      title: { type: 'string' },
      summary: { type: 'string' },
      controller: { type: 'object' },
      request: { type: 'object', nullable: true, description: 'the access request answered: receivedAt, dueDate' },
      status: { type: 'string', enum: ['active', 'restricted', 'erased'] },
      erasures: { type: 'array', items: { type: 'object' } },
      purposes: part('purposes', 'array', 'the purposes, with lawful basis and where each stands'),
      categories: part('categories', 'array', 'the categories of data held'),
      recipients: part('recipients', 'object', 'disclosures recorded, and the processors of the categories held'),
      retention: part('retention', 'object', 'the rule, and the date it falls due (dueAt)'),
      rights: part('rights', 'array', 'rectification, erasure, restriction, objection, portability, withdrawal'),
      complaint: part('complaint', 'object', 'the right to complain to the supervisory authority, with its address'),
      sources: part('sources', 'array', 'where the data came from'),
      profiling: part(
        'profiling',
        'object',
        'test results (the assessment category) and the processor that runs the tests',
      ),
      transfers: part('transfers', 'object', 'transfers outside the EEA'),
      data: part('data', 'array', 'the copy: each value with purpose, lawful basis, source and dates'),
      consents: { type: 'array', items: { type: 'object' } },
      objections: { type: 'array', items: { type: 'object' } },
      restriction: { type: 'object', nullable: true },
    },
  },
  PortabilityExport: {
    type: 'object',
    required: ['subjectId', 'exportedAt', 'fields'],
    properties: {
      subjectId: { type: 'string', format: 'uuid' },
      exportedAt: { type: 'string', format: 'date-time' },
      fields: {
        type: 'object',
        additionalProperties: { type: 'string' },
        description: 'what the person gave (collectedFrom: subject) under consent or contract, by field key',
      },
    },
  },
};
