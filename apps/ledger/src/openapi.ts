import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { INBOUND_TYPES } from '#ledger/domain';
import { ACCESS_REPORT_SCHEMAS } from './access-report/access-report.openapi';

/**
 * The OpenAPI document at /docs (JSON at /docs-json). The envelope's schema is written here by
 * hand from CONTRACT §1, because the per-type `data` shapes are a union the decorators cannot say.
 */
export function setupOpenApi(app: INestApplication): void {
  const config = new DocumentBuilder()
    .setTitle('Processing ledger')
    .setDescription(
      'Every collection, consent, objection, correction and erasure of personal data, ' +
        'recorded as an immutable event. ' +
        'Bearer tokens carry a role: ingest (write), auditor (read), dpo (read and requests), ops (operations); ' +
        'with LEDGER_OIDC_ISSUER a token may also be a JWT of that provider, its roles in LEDGER_OIDC_ROLES_CLAIM. ' +
        "Every read of a person's data is logged with who, when and why (X-Access-Reason).",
    )
    .setVersion('v1')
    .addBearerAuth()
    .build();
  const document = SwaggerModule.createDocument(app, config);
  document.components = {
    ...document.components,
    schemas: {
      ...document.components?.schemas,
      ...ACCESS_REPORT_SCHEMAS,
      Envelope: {
        type: 'object',
        required: ['id', 'type', 'occurredAt', 'source', 'subject', 'data'],
        properties: {
          id: { type: 'string', format: 'uuid', description: 'Chosen by the sender: the idempotency key' },
          type: { type: 'string', enum: [...INBOUND_TYPES] },
          occurredAt: { type: 'string', format: 'date-time', description: 'ISO-8601 with an offset' },
          source: { type: 'string', example: 'webcruiter' },
          actor: { type: 'string', example: 'recruiter:kari.hansen' },
          subject: {
            type: 'object',
            description: '{ ref } or { id }',
            properties: {
              ref: { type: 'string', example: 'webcruiter:candidate:4711' },
              id: { type: 'string', format: 'uuid' },
            },
          },
          correlationId: { type: 'string', format: 'uuid' },
          causationId: { type: 'string', format: 'uuid' },
          data: { type: 'object', description: 'Per type, as CONTRACT §1 lists; unknown fields are refused' },
        },
      },
      EnvelopeBatch: {
        type: 'object',
        required: ['events'],
        properties: {
          events: { type: 'array', minItems: 1, maxItems: 1000, items: { $ref: '#/components/schemas/Envelope' } },
        },
      },
    },
  };
  SwaggerModule.setup('docs', app, document);
}
