import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Client } from 'pg';
import { PostgresEventStore } from '#ledger/event-store';
import { ingestHttp } from '../http-bench';
import { ensureBroker } from '../kafka-bench';
import { BENCH_MASTER_KEY, BENCH_TOKENS, LedgerServer } from '../ledger-server';
import { median, round } from '../stats';
import { appendEps, copyRowsEps, dataset, rebuildEps } from '../store-bench';
import { AutovacuumStandIn } from './autovacuum';
import { BulkLoader } from './bulk-loader';
import { chartSvg } from './chart';
import { BROKERS, createTopic, kafkaIngestion, kafkaWarmUp } from './kafka-ingest';
import { getText } from '../reads';
import { figureSeries, goals, type SizeResult } from './results';
import { sizeReads } from './size-reads';
import { createCopyTable, diskFigures, storeCounts, topUpCopyTable, waitProjected } from './store-figures';

const log = (line: string) => process.stdout.write(`${line}\n`);
/** Envelopes a generated person sends, with the events the ledger adds (erasures, answered requests). */
const EVENTS_PER_PERSON = 10.02;
const HEAVY_EVENTS = 1000;
/**
 * Each rate is measured in this many windows a size and taken as their median: one window of a few
 * seconds on a shared machine moves by more than the goals allow.
 */
const WINDOWS = Number(process.env.BENCH_SCALE_WINDOWS ?? 3);
/** New persons a Kafka window sends (ten envelopes each). */
const KAFKA_WINDOW_PERSONS = 2000;
/** Batches of 1,000 new persons an HTTP window posts. */
const HTTP_WINDOW_BATCHES = 8;

/** A rate measured in `WINDOWS` windows: their median, and each as measured. */
async function windows(measure: (window: number) => Promise<number>): Promise<{ eps: number; windows: number[] }> {
  const rates: number[] = [];
  for (let w = 0; w < WINDOWS; w += 1) rates.push(await measure(w));
  return { eps: round(median(rates)), windows: rates };
}

interface Run {
  readonly url: string;
  readonly db: Client;
  readonly loader: BulkLoader;
  readonly scratch: string;
  readonly tag: string;
  readonly autovacuum: AutovacuumStandIn;
  persons: number;
  copied: number;
  heavyId: string;
}

/** Fills the store to `size` events through the bulk loader; the figures of the fill. */
async function fill(run: Run, size: number) {
  const before = await run.db.query<{ n: string }>('SELECT count(*)::text AS n FROM ledger_events');
  const missing = size - Number(before.rows[0]!.n);
  const persons = Math.max(0, Math.ceil(missing / EVENTS_PER_PERSON));
  const loaded = await run.loader.persons(run.persons, run.persons + persons);
  run.persons += persons;
  log(`  filled: ${loaded.envelopes} envelopes for ${persons} persons through the writer at ${loaded.eps}/s`);
  return loaded;
}

/**
 * Batch append (the store alone) and a bare COPY of the same rows into a table of the store's size,
 * in alternate windows so that both see the same minutes; each the median of its windows.
 */
async function appendFigures(run: Run) {
  // The fill leaves its pages to be vacuumed, analyzed and written by the checkpointer; done now,
  // they weigh on no window, and a larger fill does not make its size look slower than a smaller one.
  await run.autovacuum.vacuum();
  await run.db.query('CHECKPOINT');
  const copies: number[] = [];
  // One instance for every window, as a service runs: a generation of event ids its appends seal
  // has its filter built once, in the background, not again by each window's new instance.
  const store = await PostgresEventStore.open({ url: run.url });
  const append = await windows(async () => {
    run.copied = await topUpCopyTable(run.db, run.copied);
    const data = dataset(Number(process.env.BENCH_SCALE_APPEND ?? 10_000));
    const eps = await appendEps(store, data);
    copies.push(await copyRowsEps(run.db, 'bench_copy', data));
    return eps;
  }).finally(() => store.close());
  run.copied = await topUpCopyTable(run.db, run.copied);
  const copy = round(median(copies));
  const [a, c] = [append.windows, copies].map((rates) => JSON.stringify(rates));
  log(`  batch append ${append.eps}/s ${a}, COPY into a bare table of the same size ${copy}/s ${c}`);
  return { append: append.eps, copy, windows: { append: append.windows, copy: copies } };
}

/** The service on this store: catch-up, Kafka and HTTP ingestion, reads; stopped after. */
async function serviceFigures(run: Run, size: number) {
  const topic = `${run.tag}-in-${size}`;
  await createTopic(topic);
  const env = {
    LEDGER_STORE: 'postgres',
    DATABASE_URL: run.url,
    LEDGER_DATA_DIR: join(run.scratch, `svc-${size}`),
    KAFKA_BROKERS: BROKERS,
    KAFKA_TOPIC: topic,
    KAFKA_GROUP_ID: `${topic}-ledger`,
    KAFKA_LEDGER_TOPIC: `${run.tag}-out`,
  };
  const started = performance.now();
  const ledger = await LedgerServer.start(env);
  try {
    const startSeconds = round((performance.now() - started) / 1000, 2);
    const caughtUp = await waitProjected(run.db, started);
    const catchUpRss = Math.round(ledger.rssPeakMb());
    log(`  service up in ${startSeconds} s; projections caught up (s from start): ${JSON.stringify(caughtUp)}`);
    await run.autovacuum.vacuum();
    if (!run.heavyId) {
      const found = await getText(ledger.url, '/v1/subjects?ref=scale:candidate:heavy', BENCH_TOKENS.auditor);
      run.heavyId = (JSON.parse(found.body) as { subjectId: string }).subjectId;
    }
    // The reads first, on the store as filled: the ingestion windows then add their own envelopes.
    const reads = await sizeReads(ledger.url, run.db, run.persons, run.heavyId);
    log(`  reads: ${JSON.stringify(reads)}`);
    if (!reads.compliance) log('  compliance: GET /v1/compliance answered 404 (not in this build), skipped');
    const group = `${topic}-ledger`;
    await kafkaWarmUp(run.db, { topic, group, tag: `k${size}-w` }, 300);
    let sent = 0;
    const kafka = await windows(async (w) => {
      const window = await kafkaIngestion(run.db, { topic, group, tag: `k${size}-${w}-` }, KAFKA_WINDOW_PERSONS);
      sent += window.envelopes;
      return window.eps;
    });
    log(`  Kafka → store → projections: ${kafka.eps}/s ${JSON.stringify(kafka.windows)}, ${sent} envelopes`);
    await ingestHttp(ledger.url, 2);
    const http = await windows(async () => (await ingestHttp(ledger.url, HTTP_WINDOW_BATCHES)).eps);
    log(`  HTTP batches → store → projections: ${http.eps}/s ${JSON.stringify(http.windows)}`);
    return {
      startSeconds,
      caughtUp,
      catchUpRss,
      kafka: { ...kafka, envelopes: sent },
      http: http.eps,
      httpWindows: http.windows,
      reads,
      rssPeakMb: Math.round(ledger.rssPeakMb()),
    };
  } finally {
    await ledger.stop();
  }
}

async function measureSize(run: Run, size: number): Promise<SizeResult> {
  log(`size ${size}:`);
  const beforeFill = await storeCounts(run.db);
  const loaded = await fill(run, size);
  const atSize = await storeCounts(run.db);
  const appended = await appendFigures(run);
  const service = await serviceFigures(run, size);
  const rebuild = await rebuildEps(
    { LEDGER_STORE: 'postgres', DATABASE_URL: run.url, LEDGER_DATA_DIR: join(run.scratch, 'cli') },
    'subject-state',
  );
  log(`  rebuild of subject-state: ${rebuild.eps}/s, peak RSS ${rebuild.rssPeakMb} MB`);
  const counts = await storeCounts(run.db);
  const disk = await diskFigures(run.db, counts.events, counts.persons);
  log(`  on disk: ${disk.bytesPerEvent} B/event, ${disk.bytesPerPerson} B/person (largest: ${disk.largest})`);
  const caughtUpEvents = counts.events - beforeFill.events;
  return {
    size,
    eventsAtFill: atSize.events,
    events: counts.events,
    persons: counts.persons,
    loaded,
    appended,
    service,
    caughtUpEvents,
    rebuild,
    disk,
  };
}

async function main(): Promise<void> {
  const sizes = (process.env.BENCH_SCALE_SIZES ?? '100000,1000000,10000000')
    .split(',')
    .map((s) => Number(s.trim()))
    .sort((a, b) => a - b);
  if (sizes.some((s) => !Number.isInteger(s) || s < 2000)) throw new Error('BENCH_SCALE_SIZES: whole numbers ≥ 2000');
  const serverUrl = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const admin = new Client({ connectionString: serverUrl });
  await admin.connect();
  const tag = `ledger_scale_${randomBytes(4).toString('hex')}`;
  await admin.query(`CREATE DATABASE ${tag}`);
  const url = new URL(serverUrl);
  url.pathname = `/${tag}`;
  const db = new Client({ connectionString: url.toString() });
  const scratch = mkdtempSync(join(tmpdir(), 'ledger-scale-'));
  const results: SizeResult[] = [];
  let autovacuum: AutovacuumStandIn | null = null;
  try {
    // BENCH_KAFKA_BROKERS names a broker of one's own; without it, the one of deploy/kafka.
    if (!process.env.BENCH_KAFKA_BROKERS) ensureBroker();
    await db.connect();
    const loader = await BulkLoader.open(url.toString(), BENCH_MASTER_KEY);
    await createCopyTable(db);
    autovacuum = await AutovacuumStandIn.start(url.toString());
    if (autovacuum.active)
      log('the server runs without autovacuum: the benchmark analyzes as autovacuum would, in its stead');
    const run: Run = {
      url: url.toString(),
      db,
      loader,
      scratch,
      tag: tag.replace(/_/g, '-'),
      autovacuum,
      persons: 0,
      copied: 0,
      heavyId: '',
    };
    await loader.heavy(HEAVY_EVENTS);
    for (const size of sizes) results.push(await measureSize(run, size));
    await loader.close();
  } finally {
    await autovacuum?.stop();
    await db.end().catch(() => undefined);
    if (process.env.BENCH_SCALE_KEEP_DB !== '1') await admin.query(`DROP DATABASE IF EXISTS ${tag} WITH (FORCE)`);
    else log(`kept the database ${tag}`);
    await admin.end();
    rmSync(scratch, { recursive: true, force: true });
  }
  const date = new Date().toISOString().slice(0, 10);
  const dir = resolve(process.cwd(), 'bench-results');
  mkdirSync(dir, { recursive: true });
  const summary = goals(results);
  const file = join(dir, `scale-${date}.json`);
  writeFileSync(
    file,
    `${JSON.stringify({ date: new Date().toISOString(), sizes: results, goals: summary }, null, 2)}\n`,
  );
  writeFileSync(
    join(dir, `scale-${date}.svg`),
    chartSvg(`processing ledger: cost against store size (${date})`, figureSeries(results)),
  );
  log(`wrote ${file} and scale-${date}.svg`);
  log(JSON.stringify({ sizes: results.map((r) => r.size), ...summary }));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
