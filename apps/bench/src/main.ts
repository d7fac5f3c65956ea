import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { eventLoopMaxMs, getLatencies, ingestFor, ingestHttp } from './http-bench';
import { bareConsumerEps, ensureBroker, fillTopic, ledgerKafkaEps } from './kafka-bench';
import { microsecondsEach, postgresCpuSeconds } from './cpu';
import { LedgerServer } from './ledger-server';
import { round } from './stats';
import { copyLimitEps, dataset, emmettAppendEps, ledgerAppendEps, rebuildEps } from './store-bench';
import { treeFigures, type TreeFigures } from './tree-build';

/**
 * `npm run bench`: measures the ledger on this machine, on the machine's PostgreSQL (BENCH_PG_URL
 * for another server), each part on a fresh database, and prints its figures, the last line one
 * JSON object. BENCH_SCALE (default 1) shrinks every size for a quick run.
 */
async function main(): Promise<void> {
  const scale = Number(process.env.BENCH_SCALE ?? 1);
  const serverUrl = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const admin = new Client({ connectionString: serverUrl });
  await admin.connect();
  const created: string[] = [];
  const freshDb = async () => {
    const name = `ledger_bench_${randomBytes(4).toString('hex')}`;
    await admin.query(`CREATE DATABASE ${name}`);
    created.push(name);
    const url = new URL(serverUrl);
    url.pathname = `/${name}`;
    return url.toString();
  };
  // Each part's databases go once it is measured, and the server writes out what that part left
  // dirty: otherwise the next part pays for it (a million-event database vacuumed, a checkpoint
  // of the last part's pages; HTTP ingestion measured 3,955/s after the Kafka part, 5,144 alone).
  const dropDatabases = async () => {
    for (const name of created.splice(0)) await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin
      .query('CHECKPOINT')
      .catch(() => log('CHECKPOINT refused (it needs a superuser or pg_checkpoint): parts may pay for the last one'));
  };
  const log = (line: string) => process.stdout.write(`${line}\n`);
  // The services' data directories: one scratch directory, removed at the end however the run ends.
  const scratch = mkdtempSync(join(tmpdir(), 'ledger-bench-'));
  const dataDir = (name: string) => join(scratch, name);
  // BENCH_ONLY=store,rebuild,tree,kafka,http runs only those parts (the others print null), for profiling.
  const only = process.env.BENCH_ONLY?.split(',').map((p) => p.trim());
  const want = (part: string) => !only || only.includes(part);
  let rssPeak = 0;
  let append = NaN,
    emmett = NaN,
    copy = NaN;
  let state = { eps: NaN, rssPeakMb: 0 };
  let bare = NaN;
  let viaKafka: Awaited<ReturnType<typeof ledgerKafkaEps>> = {
    eps: NaN,
    warmUpEps: NaN,
    rssPeakMb: 0,
    serviceCpuUs: null,
    postgresCpuUs: null,
  };
  let http = { eps: NaN };
  let httpCpu: { service: number | null; postgres: number | null } = { service: null, postgres: null };
  const none = { count: 0, p50: NaN, p99: NaN };
  let idle = none,
    busy = none,
    serial = none,
    onReader = none;
  let loopMax = NaN;
  let tree: TreeFigures = { leaves: 0, leavesPerSecond: NaN, rssPeakMb: 0, proofs: none };

  try {
    if (want('store')) {
      // The event store alone, against emmett-postgresql and against COPY, on the same events.
      const events = Math.round(100_000 * scale);
      const data = dataset(events);
      append = await ledgerAppendEps(await freshDb(), data);
      emmett = await emmettAppendEps(await freshDb(), data);
      copy = await copyLimitEps(await freshDb(), data);
      log(
        `append ${events} events (${events / 10} streams of 10): ledger ${append}/s, ` +
          `emmett-postgresql ${emmett}/s, COPY into a bare table ${copy}/s`,
      );
      await dropDatabases();
    }

    if (want('rebuild')) {
      // Rebuild: 1,000,000 events at full scale, through the ops CLI.
      const rebuildEvents = Math.round(1_000_000 * scale);
      const rebuildDb = await freshDb();
      await ledgerAppendEps(rebuildDb, dataset(rebuildEvents));
      const env = { LEDGER_STORE: 'postgres', DATABASE_URL: rebuildDb, LEDGER_DATA_DIR: dataDir('rebuild') };
      state = await rebuildEps(env, 'subject-state');
      rssPeak = Math.max(rssPeak, state.rssPeakMb);
      log(`rebuild of subject-state from ${rebuildEvents} events: ${state.eps}/s (peak RSS ${state.rssPeakMb} MB)`);
      await dropDatabases();
    }

    if (want('tree')) {
      // The verifiable log: a million leaves at full scale through the tree store's appender, in a
      // process of its own; then inclusion proofs for random leaves of that tree, one at a time.
      const leaves = Math.round(1_000_000 * scale);
      tree = await treeFigures(await freshDb(), leaves, Math.max(100, Math.round(5000 * Math.min(1, scale))));
      log(
        `verifiable log: ${leaves} leaves appended at ${tree.leavesPerSecond}/s (peak RSS ${tree.rssPeakMb} MB); ` +
          `inclusion proof, one at a time: ${tree.proofs.count} proofs, ` +
          `p50 ${tree.proofs.p50} ms, p99 ${tree.proofs.p99} ms`,
      );
      await dropDatabases();
    }

    if (want('kafka')) {
      // Kafka → store → projection, and a bare kafkajs consumer on the same topic.
      // 50,000 measured after 10,000 that warm the service up (the HTTP part warms up likewise).
      const kafkaCount = Math.round(50_000 * scale);
      const kafkaWarmUp = Math.round(10_000 * scale);
      ensureBroker();
      const topic = await fillTopic(kafkaWarmUp + kafkaCount);
      bare = await bareConsumerEps(topic, kafkaWarmUp + kafkaCount);
      viaKafka = await ledgerKafkaEps(await freshDb(), topic, kafkaWarmUp + kafkaCount, dataDir('kafka'), kafkaWarmUp);
      rssPeak = Math.max(rssPeak, viaKafka.rssPeakMb);
      log(
        `Kafka → store → projection: ${viaKafka.eps} envelopes/s over ${kafkaCount}, ` +
          `after ${kafkaWarmUp} to warm up (${viaKafka.warmUpEps}/s, not counted) ` +
          `(peak RSS ${viaKafka.rssPeakMb} MB); ` +
          `a bare kafkajs consumer: ${bare}/s (ratio ${round(viaKafka.eps / bare, 3)})`,
      );
      log(
        `  CPU per envelope meanwhile: the service ${viaKafka.serviceCpuUs ?? '?'} µs, ` +
          `PostgreSQL ${viaKafka.postgresCpuUs ?? '?'} µs`,
      );
      await dropDatabases();
    }

    if (want('http')) {
      // HTTP batches, and state GETs at concurrency 32 idle and while ingesting.
      const env = { LEDGER_STORE: 'postgres', DATABASE_URL: await freshDb(), LEDGER_DATA_DIR: dataDir('http') };
      const ledger = await LedgerServer.start(env);
      try {
        const batches = Math.max(2, Math.round(20 * scale));
        // Warm-up, not counted: V8 optimises the path as it runs. Measured in batches of five, the
        // first five batches of a started service cost 458-554 µs of its CPU per envelope, those
        // after the fifteenth 234-360.
        const warmUpBatches = Math.max(1, Math.round(10 * scale));
        const ingestWarmUp = await ingestHttp(ledger.url, warmUpBatches);
        log(
          `ingest over HTTP, warm-up (not counted): ${warmUpBatches * 1000} envelopes for new persons ` +
            `in batches of 1,000: ${ingestWarmUp.eps} envelopes/s`,
        );
        await eventLoopMaxMs(ledger.url); // resets the service's event-loop delay window
        const cpuBefore = { service: ledger.cpuSeconds(), postgres: postgresCpuSeconds() };
        const ingested = await ingestHttp(ledger.url, batches);
        http = ingested;
        httpCpu = {
          service: microsecondsEach(cpuBefore.service, ledger.cpuSeconds(), batches * 1000),
          postgres: microsecondsEach(cpuBefore.postgres, postgresCpuSeconds(), batches * 1000),
        };
        loopMax = await eventLoopMaxMs(ledger.url);
        log(
          `ingest over HTTP: ${batches} batches of 1,000 envelopes for 1,000 new persons each: ` +
            `${http.eps} envelopes/s recorded and projected; ` +
            `the service's event loop was held at most ${loopMax} ms at a time`,
        );
        log(
          `  CPU per envelope meanwhile: the service ${httpCpu.service ?? '?'} µs, ` +
            `PostgreSQL ${httpCpu.postgres ?? '?'} µs`,
        );
        // The GET path warmed up first, as the ingestion was: a service's first seconds of GETs run
        // code V8 has not optimised yet (measured on a slow spell: a serial p99 of 9.5-12.4 ms over
        // the first 5 s, 6.6-7.0 ms after 10 s of GETs). The warm-up reads the persons of the
        // ingestion's warm-up; the GETs measured read the others, whose rows no GET has touched.
        const getWarmUp = await getLatencies(ledger.url, ingestWarmUp.subjectIds, 1, 10_000 * Math.min(1, scale));
        log(
          `state GET, one at a time, warm-up (not counted, other persons): ${getWarmUp.count} requests, ` +
            `p50 ${getWarmUp.p50} ms, p99 ${getWarmUp.p99} ms`,
        );
        serial = await getLatencies(ledger.url, ingested.subjectIds, 1, 5000 * Math.min(1, scale));
        log(`state GET, one at a time, idle: ${serial.count} requests, p50 ${serial.p50} ms, p99 ${serial.p99} ms`);
        idle = await getLatencies(ledger.url, ingested.subjectIds, 32, 5000 * Math.min(1, scale));
        log(`state GET, concurrency 32, idle: ${idle.count} requests, p50 ${idle.p50} ms, p99 ${idle.p99} ms`);
        // Ingestion lasts the whole window (batch after batch), so every GET measured meets it.
        const window = 5000 * Math.min(1, scale);
        [busy] = await Promise.all([
          getLatencies(ledger.url, ingested.subjectIds, 32, window),
          ingestFor(ledger.url, window),
        ]);
        log(
          `state GET, concurrency 32, while ingesting: ${busy.count} requests, p50 ${busy.p50} ms, p99 ${busy.p99} ms`,
        );
        // The same GETs on a read instance (LEDGER_ROLE=read, same database and keys) while the
        // first instance ingests: reads kept apart from ingestion, as a deployment can run them.
        const reader = await LedgerServer.start({ ...env, LEDGER_ROLE: 'read' });
        let readerPeak = 0;
        try {
          [onReader] = await Promise.all([
            getLatencies(reader.url, ingested.subjectIds, 32, window),
            ingestFor(ledger.url, window),
          ]);
          log(
            `state GET, concurrency 32, on a read instance while the other ingests: ${onReader.count} requests, ` +
              `p50 ${onReader.p50} ms, p99 ${onReader.p99} ms`,
          );
          readerPeak = Math.round(reader.rssPeakMb());
          rssPeak = Math.max(rssPeak, readerPeak);
        } finally {
          await reader.stop();
        }
        // The recording instance's peak over the whole part (it ingested during the last window too).
        const ledgerPeak = Math.round(ledger.rssPeakMb());
        rssPeak = Math.max(rssPeak, ledgerPeak);
        log(`peak RSS over the HTTP part: the recording instance ${ledgerPeak} MB, the read instance ${readerPeak} MB`);
      } finally {
        await ledger.stop();
      }
    }

    log(
      JSON.stringify({
        ingest_http_eps: http.eps,
        ingest_kafka_eps: viaKafka.eps,
        rebuild_eps: state.eps,
        get_p99_ms: busy.p99,
        get_p50_ms: busy.p50,
        rss_peak_mb: rssPeak,
        append_eps: append,
        emmett_append_eps: emmett,
        append_vs_emmett: round(append / emmett, 2),
        copy_limit_eps: copy,
        append_vs_copy: round(append / copy, 2),
        kafka_bare_consumer_eps: bare,
        http_service_cpu_us: httpCpu.service,
        http_postgres_cpu_us: httpCpu.postgres,
        kafka_service_cpu_us: viaKafka.serviceCpuUs,
        kafka_postgres_cpu_us: viaKafka.postgresCpuUs,
        get_idle_p99_ms: idle.p99,
        get_serial_p50_ms: serial.p50,
        get_serial_p99_ms: serial.p99,
        event_loop_max_ms: loopMax,
        get_read_instance_p50_ms: onReader.p50,
        get_read_instance_p99_ms: onReader.p99,
        tree_leaves_per_s: tree.leavesPerSecond,
        tree_rss_peak_mb: tree.rssPeakMb,
        proof_p50_ms: tree.proofs.p50,
        proof_p99_ms: tree.proofs.p99,
        scale,
      }),
    );
  } finally {
    await dropDatabases();
    await admin.end();
    rmSync(scratch, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
