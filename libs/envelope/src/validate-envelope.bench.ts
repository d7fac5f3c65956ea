import { performance } from 'node:perf_hooks';
import { validateEnvelope } from './validate-envelope';

/**
 * `node dist/libs/envelope/src/validate-envelope.bench.js [count]`: the cost of validateEnvelope
 * alone, over parsed valid envelopes of every type in turn, the way ingestion calls it. Prints one
 * JSON line. A script to compare builds, not a test: it asserts nothing but that all pass.
 */
const DATA: Record<string, Record<string, unknown>> = {
  'data.collected': {
    purpose: 'client-assignments',
    fields: { 'contact.email': 'a@example.no', 'work.position': 'CFO' },
    collectedFrom: 'processor',
  },
  'data.corrected': { fields: { 'contact.name': 'A' }, reason: 'typo' },
  'data.used': { purpose: 'client-assignments', fields: ['contact.email'], description: 'shortlist' },
  'data.disclosed': { recipient: 'Client AS', purpose: 'client-assignments', fields: ['contact.name'] },
  'consent.given': { purpose: 'talent-pool', policyVersion: 'v3', channel: 'web', evidence: 'checkbox' },
  'consent.withdrawn': { purpose: 'talent-pool', channel: 'email' },
  'objection.raised': { purposes: ['talent-pool'], grounds: 'no longer looking' },
  'objection.resolved': { objectionId: '5d0c2a4e-8f1b-4c3d-9e2f-1a2b3c4d5e6f', outcome: 'upheld', reason: 'agreed' },
  'restriction.placed': { reason: 'disputed accuracy' },
  'legal-hold.placed': { reason: 'litigation', until: '2027-01-01T00:00:00Z' },
  'access.requested': { channel: 'email' },
  'erasure.requested': { scope: ['contact'], reason: 'subject-request' },
  'erasure.acknowledged': { system: 'webcruiter' },
};
const TYPES = Object.keys(DATA);

const uuid = (n: number) => `0b6f1c8e-3a55-4a1e-9a53-${n.toString(16).padStart(12, '0')}`;

/** As ingestion sees them: each parsed from its own JSON text. */
function envelopes(count: number): unknown[] {
  return Array.from({ length: count }, (_, i) => {
    const type = TYPES[i % TYPES.length];
    const subject = i % 2 === 0 ? { ref: `webcruiter:candidate:${i}` } : { id: uuid(i) };
    const raw = {
      id: uuid(i),
      type,
      occurredAt: '2026-11-20T10:15:00Z',
      source: 'webcruiter',
      actor: 'recruiter:k',
      subject,
      correlationId: uuid(i + 1),
      data: DATA[type],
    };
    return JSON.parse(JSON.stringify(raw)) as unknown;
  });
}

function timeOnce(inputs: readonly unknown[]): number {
  const started = performance.now();
  for (const input of inputs) {
    if (!('envelope' in validateEnvelope(input))) throw new Error('a valid envelope was refused');
  }
  return performance.now() - started;
}

const count = Number(process.argv[2] ?? 100_000);
const inputs = envelopes(count);
timeOnce(inputs.slice(0, Math.min(count, 10_000))); // warm-up: the JIT, the validators' caches
const runs = [timeOnce(inputs), timeOnce(inputs), timeOnce(inputs)];
const best = Math.min(...runs);
const usEach = Number(((best * 1000) / count).toFixed(2));
const figures = { envelopes: count, bestMs: Math.round(best), runsMs: runs.map(Math.round), usEach };
process.stdout.write(`${JSON.stringify(figures)}\n`);
