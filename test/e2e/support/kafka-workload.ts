import { randomUUID } from 'node:crypto';
import type { TestMessage } from '../../support/kafka-client';

export interface Workload {
  readonly messages: TestMessage[];
  /** Envelope ids that must be recorded exactly once. */
  readonly valid: string[];
  /** Message values that must reach the dead-letter topic, with the code they must carry. */
  readonly invalid: Map<string, string>;
}

/**
 * `persons` people with `perPerson` envelopes each, keyed by ref so a person's envelopes stay in
 * order: a consent first, then collections that need it (out of order, they would be refused).
 * One in `invalidEvery` is broken: not JSON, failing validation, or breaking a rule.
 */
export function workload(persons: number, perPerson: number, invalidEvery = 100): Workload {
  const messages: TestMessage[] = [];
  const valid: string[] = [];
  const invalid = new Map<string, string>();
  const run = randomUUID().slice(0, 8);
  let n = 0;
  for (let p = 0; p < persons; p += 1) {
    const ref = `webcruiter:candidate:${run}-${p}`;
    for (let i = 0; i < perPerson; i += 1) {
      n += 1;
      const id = randomUUID();
      const base = {
        id,
        occurredAt: '2026-11-20T10:15:00Z',
        source: 'webcruiter',
        actor: 'ats:import',
        subject: { ref },
      };
      const envelope =
        i === 0
          ? {
              ...base,
              type: 'consent.given',
              data: { purpose: 'marketing', policyVersion: '2018-05', channel: 'web-form' },
            }
          : {
              ...base,
              type: 'data.collected',
              data: {
                purpose: 'marketing',
                fields: { [`work.employer${i}`]: `Employer ${i} of ${p}` },
                collectedFrom: 'processor',
              },
            };
      if (i > 0 && n % invalidEvery === 0) {
        const kind = (n / invalidEvery) % 3;
        const value =
          kind === 0
            ? `{"id": "${id}", "type": "data.collected", broken`
            : kind === 1
              ? JSON.stringify({ ...base, type: 'objection.raised', data: { purposes: ['client-assignments'] } })
              : JSON.stringify({
                  ...base,
                  type: 'data.collected',
                  data: {
                    purpose: 'candidate-relationship',
                    fields: { 'contact.email': 'x@example.no' },
                    collectedFrom: 'subject',
                  },
                });
        invalid.set(value, ['INVALID_JSON', 'VALIDATION', 'CONSENT_REQUIRED'][kind]!);
        messages.push({ key: ref, value });
        continue;
      }
      valid.push(id);
      messages.push({ key: ref, value: JSON.stringify(envelope) });
    }
  }
  return { messages, valid, invalid };
}
