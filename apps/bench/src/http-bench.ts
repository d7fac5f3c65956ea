import { randomUUID } from 'node:crypto';
import { BENCH_TOKENS } from './ledger-server';
import { percentile, round } from './stats';

const envelope = (ref: string) => ({
  id: randomUUID(),
  type: 'data.collected',
  occurredAt: '2026-11-20T10:15:00Z',
  source: 'webcruiter',
  actor: 'recruiter:bench',
  subject: { ref },
  data: {
    purpose: 'client-assignments',
    collectedFrom: 'processor',
    fields: { 'contact.email': `${ref.split(':')[2]}@example.no`, 'contact.name': 'Bench Person', 'work.position': 'CFO' },
  },
});

async function post(url: string, events: object[]): Promise<Array<{ subjectId: string }>> {
  const response = await fetch(`${url}/v1/events`, {
    method: 'POST',
    headers: { authorization: `Bearer ${BENCH_TOKENS.ingest}`, 'content-type': 'application/json' },
    body: JSON.stringify({ events }),
  });
  if (response.status !== 201) throw new Error(`POST answered ${response.status}: ${await response.text()}`);
  return ((await response.json()) as { results: Array<{ subjectId: string }> }).results;
}

/**
 * Batch POSTs of 1,000 envelopes for 1,000 new persons each; every POST returns once its events
 * are recorded and projected (read-your-writes), so the rate is "recorded and projected".
 */
export async function ingestHttp(url: string, batches: number, concurrency = 2): Promise<{ eps: number; subjectIds: string[] }> {
  const subjectIds: string[] = [];
  const bodies = Array.from({ length: batches }, (_, b) =>
    Array.from({ length: 1000 }, (_, i) => envelope(`bench:person:${b}-${i}-${randomUUID().slice(0, 8)}`)),
  );
  const started = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < bodies.length) {
        const results = await post(url, bodies[next++]!);
        subjectIds.push(...results.map((r) => r.subjectId));
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  return { eps: round((batches * 1000) / seconds), subjectIds };
}

/** State GETs at the given concurrency for `durationMs`; latencies in ms. */
export async function getLatencies(url: string, subjectIds: readonly string[], concurrency: number, durationMs: number) {
  const latencies: number[] = [];
  const until = performance.now() + durationMs;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < until) {
        const id = subjectIds[Math.floor(Math.random() * subjectIds.length)]!;
        const t = performance.now();
        const response = await fetch(`${url}/v1/subjects/${id}`, { headers: { authorization: `Bearer ${BENCH_TOKENS.auditor}` } });
        await response.arrayBuffer();
        if (response.status !== 200) throw new Error(`GET answered ${response.status}`);
        latencies.push(performance.now() - t);
      }
    }),
  );
  latencies.sort((a, b) => a - b);
  return { count: latencies.length, p50: round(percentile(latencies, 50), 2), p99: round(percentile(latencies, 99), 2) };
}

export { post as postBatch, envelope as benchEnvelope };
