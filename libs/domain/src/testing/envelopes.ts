import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { InboundEnvelope } from '../envelope/envelope';
import { parsePolicy, type Policy } from '../policy/policy';

/** The policy that ships with the project, read from its file as the service reads it. */
export const defaultPolicy = (): Policy =>
  parsePolicy(JSON.parse(readFileSync(join(__dirname, '../../policy/backerskeie-2018-05.json'), 'utf8')));

let counter = 0;
/** A test envelope: `make('consent.given', { purpose: 'marketing', … })`. */
export function envelope<T extends InboundEnvelope['type']>(
  type: T,
  data: Extract<InboundEnvelope, { type: T }>['data'],
  overrides: Partial<InboundEnvelope> = {},
): Extract<InboundEnvelope, { type: T }> {
  counter += 1;
  return {
    id: `00000000-0000-4000-8000-${counter.toString().padStart(12, '0')}`,
    type,
    occurredAt: '2026-11-20T10:15:00Z',
    source: 'webcruiter',
    actor: 'recruiter:kari.hansen',
    subject: { ref: 'webcruiter:candidate:4711' },
    data,
    ...overrides,
  } as Extract<InboundEnvelope, { type: T }>;
}
