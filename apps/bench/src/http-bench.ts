import { randomUUID } from 'node:crypto';
import { BENCH_TOKENS } from './ledger-server';
import { getText, pick, readLatencies } from './reads';
import { round } from './stats';

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
    fields: {
      'contact.email': `${ref.split(':')[2]}@example.no`,
      'contact.name': 'Bench Person',
      'work.position': 'CFO',
    },
  },
});

/** A batch of 1,000 envelopes, each for a new person. */
const newPersons = (tag: string) =>
  Array.from({ length: 1000 }, (_, i) => envelope(`bench:person:${tag}-${i}-${randomUUID().slice(0, 8)}`));

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
 * Batch POSTs of 1,000 envelopes for 1,000 new persons each, and the time until the read model
 * shows them all: a POST answers once recorded (the read model trails by the POSTs in flight), so
 * the clock stops only when a state GET of each batch's last person shows that person (the GET
 * waits for it; a batch is projected in the order it was appended). The rate is "recorded and
 * projected".
 */
export async function ingestHttp(
  url: string,
  batches: number,
  concurrency = Number(process.env.BENCH_HTTP_CONCURRENCY ?? 2),
): Promise<{ eps: number; subjectIds: string[] }> {
  const subjectIds: string[] = [];
  const lastOfEach: string[] = [];
  const bodies = Array.from({ length: batches }, (_, b) => newPersons(String(b)));
  const started = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < bodies.length) {
        const results = await post(url, bodies[next++]!);
        subjectIds.push(...results.map((r) => r.subjectId));
        lastOfEach.push(results[results.length - 1]!.subjectId);
      }
    }),
  );
  for (const subjectId of lastOfEach) {
    const { status } = await getText(url, `/v1/subjects/${subjectId}`, BENCH_TOKENS.auditor);
    if (status !== 200) throw new Error(`GET of a posted person answered ${status}`);
  }
  const seconds = (performance.now() - started) / 1000;
  return { eps: round((batches * 1000) / seconds), subjectIds };
}

/** Batch POSTs, one at a time, until `durationMs` has passed: load that lasts a whole measurement window. */
export async function ingestFor(url: string, durationMs: number): Promise<number> {
  const until = performance.now() + durationMs;
  let envelopes = 0;
  for (let b = 0; performance.now() < until; b += 1) {
    envelopes += (await post(url, newPersons(`load-${b}`))).length;
  }
  return envelopes;
}

/** State GETs of random persons at the given concurrency for `durationMs`; latencies in ms. */
export const getLatencies = (url: string, subjectIds: readonly string[], concurrency: number, durationMs: number) =>
  readLatencies({
    base: url,
    token: BENCH_TOKENS.auditor,
    path: () => `/v1/subjects/${pick(subjectIds)}`,
    concurrency,
    durationMs,
  });

export { post as postBatch, envelope as benchEnvelope };

/**
 * The longest the service's event loop was held since the last scrape, from its own Prometheus
 * metric (prom-client's event-loop delay monitor, which starts a new window at every scrape).
 */
export async function eventLoopMaxMs(url: string): Promise<number> {
  const text = await (
    await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${BENCH_TOKENS.ops}` } })
  ).text();
  const match = /^ledger_nodejs_eventloop_lag_max_seconds (\S+)$/m.exec(text);
  if (!match) throw new Error('the service published no event-loop metric');
  return round(Number(match[1]) * 1000, 1);
}
