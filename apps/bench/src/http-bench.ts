import { randomUUID } from 'node:crypto';
import { Agent, request } from 'node:http';
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
    const status = await get(url, `/v1/subjects/${subjectId}`, BENCH_TOKENS.auditor);
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

const agent = new Agent({ keepAlive: true, maxSockets: 64 });

/** A GET on a kept-alive connection with node's own client (lighter than fetch on 2 cores). */
const get = (url: string, path: string, token: string): Promise<number> =>
  new Promise((resolve, reject) => {
    const target = new URL(path, url);
    const req = request(
      {
        host: target.hostname,
        port: target.port,
        path: target.pathname,
        agent,
        headers: { authorization: `Bearer ${token}` },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end();
  });

/** State GETs at the given concurrency for `durationMs`; latencies in ms. */
export async function getLatencies(
  url: string,
  subjectIds: readonly string[],
  concurrency: number,
  durationMs: number,
) {
  const latencies: number[] = [];
  const until = performance.now() + durationMs;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < until) {
        const id = subjectIds[Math.floor(Math.random() * subjectIds.length)]!;
        const t = performance.now();
        const status = await get(url, `/v1/subjects/${id}`, BENCH_TOKENS.auditor);
        if (status !== 200) throw new Error(`GET answered ${status}`);
        latencies.push(performance.now() - t);
      }
    }),
  );
  latencies.sort((a, b) => a - b);
  return {
    count: latencies.length,
    p50: round(percentile(latencies, 50), 2),
    p99: round(percentile(latencies, 99), 2),
  };
}

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
