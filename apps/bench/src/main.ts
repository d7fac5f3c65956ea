import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { getLatencies, ingestHttp } from './http-bench';
import { bareConsumerEps, ensureBroker, fillTopic, ledgerKafkaEps } from './kafka-bench';
import { LedgerServer } from './ledger-server';
import { round } from './stats';

/**
 * `npm run bench`: measures the ledger on this machine and prints its figures, the last line one
 * JSON object. BENCH_SCALE (default 1) shrinks every size for a quick run. The database is a fresh
 * one on the machine's PostgreSQL (BENCH_PG_URL to choose another server).
 */
async function main(): Promise<void> {
  const scale = Number(process.env.BENCH_SCALE ?? 1);
  const serverUrl = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const dbName = `ledger_bench_${randomBytes(4).toString('hex')}`;
  const admin = new Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${dbName}`);
  const dbUrl = new URL(serverUrl);
  dbUrl.pathname = `/${dbName}`;
  const log = (line: string) => process.stdout.write(`${line}\n`);

  const kafkaCount = Math.round(50_000 * scale);
  ensureBroker();
  const topic = await fillTopic(kafkaCount);
  const bare = await bareConsumerEps(topic, kafkaCount);
  log(`bare kafkajs consumer (eachBatch, no work): ${bare} messages/s over ${kafkaCount}`);
  const viaKafka = await ledgerKafkaEps(dbUrl.toString(), topic, kafkaCount);
  log(`Kafka → store → projection: ${viaKafka.eps} envelopes/s over ${kafkaCount} (${round(viaKafka.eps / bare, 3)} of the bare consumer)`);
  await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
  await admin.query(`CREATE DATABASE ${dbName}`);

  const ledger = await LedgerServer.start({ LEDGER_STORE: 'postgres', DATABASE_URL: dbUrl.toString(), LEDGER_DATA_DIR: `/tmp/${dbName}` });
  try {
    const batches = Math.max(2, Math.round(20 * scale));
    await ingestHttp(ledger.url, 1, 1); // warm-up
    const http = await ingestHttp(ledger.url, batches);
    log(`ingest over HTTP: ${batches} batches of 1,000 envelopes for 1,000 new persons each: ${http.eps} envelopes/s recorded and projected`);
    const idle = await getLatencies(ledger.url, http.subjectIds, 32, 5000 * Math.min(1, scale));
    log(`state GET, concurrency 32, idle: ${idle.count} requests, p50 ${idle.p50} ms, p99 ${idle.p99} ms`);
    const [busy] = await Promise.all([
      getLatencies(ledger.url, http.subjectIds, 32, 5000 * Math.min(1, scale)),
      ingestHttp(ledger.url, Math.max(1, Math.round(5 * scale)), 1),
    ]);
    log(`state GET, concurrency 32, while ingesting: ${busy.count} requests, p50 ${busy.p50} ms, p99 ${busy.p99} ms`);
    const figures = {
      ingest_http_eps: http.eps,
      ingest_kafka_eps: viaKafka.eps,
      kafka_bare_consumer_eps: bare,
      kafka_vs_bare: round(viaKafka.eps / bare, 3),
      get_p50_ms: busy.p50,
      get_p99_ms: busy.p99,
      get_idle_p50_ms: idle.p50,
      get_idle_p99_ms: idle.p99,
      rss_peak_mb: Math.max(Math.round(ledger.rssPeakMb()), viaKafka.rssPeakMb),
      scale,
    };
    log(JSON.stringify(figures));
  } finally {
    await ledger.stop();
    await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
    await admin.end();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
