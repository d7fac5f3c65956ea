import { randomUUID } from 'node:crypto';

/** A CONTRACT §1 envelope with fresh id; `at` is its occurredAt. */
export const envelope = (type: string, ref: string, data: object, at = '2026-11-20T10:15:00Z', extra: object = {}) => ({
  id: randomUUID(),
  type,
  occurredAt: at,
  source: 'webcruiter',
  actor: 'recruiter:kari.hansen',
  subject: ref.includes(':') ? { ref } : { id: ref },
  data,
  ...extra,
});
