import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { promisify } from 'node:util';
import { getPostgreSQLEventStore } from '@event-driven-io/emmett-postgresql';
import { Client } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { uuidv7 } from '#ledger/common';
import { NO_STREAM, PostgresEventStore, type NewEvent, type StreamAppend } from '#ledger/event-store';
import { BENCH_MASTER_KEY, BENCH_SIGNING_KEY } from './ledger-server';
import { round } from './stats';

const EVENTS_PER_STREAM = 10;

/** A recorded `data.collected` as the writer makes it: metadata apart, personal values sealed. */
function event(stream: number, revision: number): NewEvent {
  const eventId = randomUUID();
  return {
    eventId,
    type: 'data.collected',
    data: {
      purpose: 'client-assignments',
      lawfulBasis: 'legitimate-interest',
      collectedFrom: 'processor',
      fields: [`work.employer${revision}`],
    },
    personal: {
      values: {
        [`work.employer${revision}`]:
          'enc:v2:0123456789ab:' + Buffer.from(`Employer ${stream}-${revision}`).toString('base64url'),
      },
    },
    meta: {
      envelopeId: eventId,
      envelopeHash: 'k'.repeat(43),
      occurredAt: '2026-11-20T10:15:00Z',
      source: 'webcruiter',
      correlationId: eventId,
      causationId: eventId,
    },
    recordedAt: new Date().toISOString(),
  };
}

/** `count` events: count/10 streams of 10, as (stream, events) pairs; subject ids as the writer mints them. */
export function dataset(count: number): Array<{ streamId: string; events: NewEvent[] }> {
  return Array.from({ length: Math.ceil(count / EVENTS_PER_STREAM) }, (_, s) => ({
    streamId: `subject-${uuidv7()}`,
    events: Array.from({ length: EVENTS_PER_STREAM }, (_, r) => event(s, r)),
  }));
}

/** The ledger's store alone: appends of 200 streams (2,000 events) each, two at a time. */
export async function ledgerAppendEps(url: string, streams: ReturnType<typeof dataset>): Promise<number> {
  const store = await PostgresEventStore.open({ url });
  try {
    return await appendEps(store, streams);
  } finally {
    await store.close();
  }
}

/** The same on a store already open, as a running service's instance appends. */
export async function appendEps(store: PostgresEventStore, streams: ReturnType<typeof dataset>): Promise<number> {
  const batches: StreamAppend[][] = [];
  for (let i = 0; i < streams.length; i += 200) {
    batches.push(
      streams.slice(i, i + 200).map((s) => ({ streamId: s.streamId, expected: NO_STREAM, events: s.events })),
    );
  }
  const started = performance.now();
  let next = 0;
  await Promise.all(
    [0, 1].map(async () => {
      while (next < batches.length) await store.append(batches[next++]!);
    }),
  );
  return round((streams.length * EVENTS_PER_STREAM) / ((performance.now() - started) / 1000));
}

/**
 * The same events through @event-driven-io/emmett-postgresql: its API appends one stream per call,
 * so eight calls run at once to give it the concurrency the ledger's batches get.
 */
export async function emmettAppendEps(url: string, streams: ReturnType<typeof dataset>): Promise<number> {
  const store = getPostgreSQLEventStore(url);
  await store.appendToStream('warm-up', [{ type: 'warmed', data: {} }]);
  const started = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (next < streams.length) {
        const s = streams[next++]!;
        await store.appendToStream(
          s.streamId,
          s.events.map((e) => ({
            type: e.type,
            data: { data: e.data, personal: e.personal },
            metadata: { ...e.meta, recordedAt: e.recordedAt },
          })),
        );
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  await store.close();
  return round((streams.length * EVENTS_PER_STREAM) / seconds);
}

/** The physical limit: the same rows COPYed into a bare table with no index. */
export async function copyLimitEps(url: string, streams: ReturnType<typeof dataset>): Promise<number> {
  const client = new Client({ connectionString: url });
  await client.connect();
  await client.query(`CREATE TABLE bench_copy (
    stream_id text, revision int, event_id uuid, type text, data json, personal json, meta json,
    recorded_at timestamptz, hash text, previous_hash text)`);
  const eps = await copyRowsEps(client, 'bench_copy', streams);
  await client.query('DROP TABLE bench_copy');
  await client.end();
  return eps;
}

/** COPYs the events' rows into an existing bare table (the shape copyLimitEps creates); its rate. */
export async function copyRowsEps(client: Client, table: string, streams: ReturnType<typeof dataset>): Promise<number> {
  const escape = (v: string) => v.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n');
  function* rows() {
    for (const s of streams) {
      for (const [r, e] of s.events.entries()) {
        yield `${[
          s.streamId,
          r,
          e.eventId,
          e.type,
          JSON.stringify(e.data),
          JSON.stringify(e.personal),
          JSON.stringify(e.meta),
          e.recordedAt,
          'h'.repeat(64),
          '\\N',
        ]
          .map((v) => (v === '\\N' ? v : escape(String(v))))
          .join('\t')}\n`;
      }
    }
  }
  const started = performance.now();
  await pipeline(Readable.from(rows()), client.query(copyFrom(`COPY ${table} FROM STDIN`)));
  const seconds = (performance.now() - started) / 1000;
  return round((streams.length * EVENTS_PER_STREAM) / seconds);
}

/** Rebuilds a projection through the ops CLI, as an operator would; its rate and its peak RSS. */
export async function rebuildEps(
  env: NodeJS.ProcessEnv,
  projection: string,
): Promise<{ eps: number; rssPeakMb: number }> {
  const cli = resolve(__dirname, '../../ledger/src/cli/main.js');
  const { stderr } = await promisify(execFile)(process.execPath, [cli, 'projections', 'rebuild', projection], {
    env: { ...process.env, LEDGER_MASTER_KEY: BENCH_MASTER_KEY, LEDGER_SIGNING_KEY: BENCH_SIGNING_KEY, ...env },
    maxBuffer: 64 * 1024 * 1024,
  });
  const match = /from (\d+) events in ([\d.]+) s \((\d+) events\/s, peak RSS (\d+) MB\)/.exec(stderr);
  if (!match) throw new Error(`rebuild said: ${stderr.slice(-500)}`);
  return { eps: Number(match[3]), rssPeakMb: Number(match[4]) };
}
