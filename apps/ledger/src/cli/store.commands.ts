import { isSubjectStream, streamIdOf, subjectIdOf } from '#ledger/domain';
import { copyStore, verifyStore } from '#ledger/event-store';
import { KEYRING_MIGRATIONS } from '#ledger/crypto';
import { createPool, migrate, type Pool } from '#ledger/postgres';
import { SUBJECT_DIRECTORY_MIGRATIONS } from '#ledger/recording';
import { copyTree, PostgresTreeStore } from '#ledger/verifiable-log';
import { AccessLog } from '../access-log/access-log';
import { openEventStore } from '../modules/event-store';
import type { CliContext } from './cli-context';
import type { Reporter } from './reporter';

const option = (args: string[], name: string): string | undefined => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};

/**
 * Tables of the ledger's own that a new PostgreSQL needs beside the events: the keys, the ref
 * index and the access log (evidence of who read whose data, kept with its ids and times). Each is
 * copied in keyset pages of its primary key, so that no table is held in memory whole.
 */
const LEDGER_TABLES = [
  { table: 'ledger_data_keys', key: 'key_id', from: '00000000-0000-0000-0000-000000000000', identity: false },
  { table: 'ledger_subject_refs', key: 'ref_key', from: '', identity: false },
  { table: 'ledger_access_log', key: 'id', from: '0', identity: true },
] as const;

/** A row as JSON for json_populate_recordset: bytea as PostgreSQL's hex text. */
const asJson = (row: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(row).map(([k, v]) => [k, Buffer.isBuffer(v) ? `\\x${v.toString('hex')}` : v]));

async function copyLedgerTables(source: Pool, target: Pool, report: Reporter): Promise<void> {
  await migrate(target, 'keyring', KEYRING_MIGRATIONS);
  await migrate(target, 'subject-directory', SUBJECT_DIRECTORY_MIGRATIONS);
  await AccessLog.migrate(target);
  for (const { table, key, from, identity } of LEDGER_TABLES) {
    let after: string = from;
    let copied = 0;
    for (;;) {
      const { rows } = await source.query(`SELECT * FROM ${table} WHERE ${key} > $1 ORDER BY ${key} LIMIT 1000`, [
        after,
      ]);
      if (rows.length === 0) break;
      await target.query(
        `INSERT INTO ${table} ${identity ? 'OVERRIDING SYSTEM VALUE' : ''}
         SELECT * FROM json_populate_recordset(NULL::${table}, $1::json) ON CONFLICT DO NOTHING`,
        [JSON.stringify(rows.map(asJson))],
      );
      copied += rows.length;
      after = String(rows[rows.length - 1][key]);
    }
    // Rows that came with their ids: the target's own next id follows them.
    if (identity)
      await target.query(
        `SELECT setval(pg_get_serial_sequence('${table}', '${key}'), GREATEST((SELECT max(${key}) FROM ${table}), 1))`,
      );
    report.line(`copied ${copied} rows of ${table}`);
  }
}

/**
 * The tables, then the verifiable log: its leaves in log order and its signed checkpoints, so
 * that the checkpoints an inspector keeps still verify against the copy. False if a signed root
 * does not hold there.
 */
async function copyLedgerTablesAndTree(source: Pool, target: Pool, report: Reporter): Promise<boolean> {
  await copyLedgerTables(source, target, report);
  const trees = [await PostgresTreeStore.open(source), await PostgresTreeStore.open(target)] as const;
  const copied = await copyTree(trees[0], trees[1], (n) => report.progress('tree leaves copied', n)).finally(() =>
    Promise.all(trees.map((tree) => tree.close())),
  );
  report.line(`copied ${copied.leaves} leaves and ${copied.checkpoints} signed checkpoints of the verifiable log`);
  for (const size of copied.mismatched) report.line(`CHECKPOINT ${size} does not hold on the target`);
  return copied.mismatched.length === 0;
}

/**
 * `store copy --target <url>`: every stream of the configured store into another (PostgreSQL or
 * KurrentDB), each stream's order, ids and hashes kept; then every chain of the target verified.
 * Into another PostgreSQL database it also copies the keys, the ref index, the access log and the
 * verifiable log (read models are rebuilt by the service from the feed). Into KurrentDB those stay
 * in this PostgreSQL.
 */
export async function copyStoreCommand(context: CliContext, report: Reporter, args: string[]): Promise<number> {
  const targetUrl = option(args, '--target');
  if (!targetUrl) {
    report.error('usage: store copy --target <postgres://… | kurrentdb://…>');
    return 2;
  }
  const source = await context.store();
  const toPostgres = !/^(kurrentdb|esdb|kdb)/.test(targetUrl);
  const targetPool = toPostgres ? createPool(targetUrl, { max: 4 }) : context.pool;
  const target = await openEventStore(targetUrl, targetPool, true);
  try {
    const copied = await copyStore(source, target, { onProgress: (n) => report.progress('events copied', n) });
    report.line(`copied ${copied.events} events (${copied.skipped} already there) of ${copied.streams} streams`);
    const treeHolds = toPostgres ? await copyLedgerTablesAndTree(context.pool, targetPool, report) : true;
    const verified = await verifyStore(target, (n) => report.progress('streams verified', n));
    report.line(
      `target: ${verified.streams} streams, ${verified.events} events, ${verified.broken.length} broken chains`,
    );
    verified.broken.forEach((b) => report.line(`BROKEN ${b.streamId} at revision ${b.revision}: ${b.problem}`));
    return verified.broken.length > 0 || !treeHolds ? 3 : 0;
  } finally {
    await target.close();
    if (toPostgres) await targetPool.end();
  }
}

/** `verify`: every stream's hash chain; the first broken link of each broken stream. Exit 3 if any. */
export async function verifyCommand(context: CliContext, report: Reporter): Promise<number> {
  const verified = await verifyStore(await context.store(), (n) => report.progress('streams verified', n));
  for (const b of verified.broken) process.stdout.write(`${JSON.stringify(b)}\n`);
  report.line(
    `${verified.streams} streams, ${verified.events} events: ` +
      (verified.broken.length === 0 ? 'every chain holds' : `${verified.broken.length} broken`),
  );
  return verified.broken.length > 0 ? 3 : 0;
}

/**
 * `export --subject <id>` | `export --all`: the trail as JSON lines on stdout, streamed (a page at a
 * time), without personal values.
 */
export async function exportCommand(context: CliContext, report: Reporter, args: string[]): Promise<number> {
  const { trailEntryOf } = await import('#ledger/projections');
  const store = await context.store();
  const write = (line: string) =>
    new Promise<void>((resolve) =>
      process.stdout.write(`${line}\n`) ? resolve() : process.stdout.once('drain', resolve),
    );
  const subject = option(args, '--subject');
  if (subject) {
    const events = await store.readStream(streamIdOf(subject));
    if (events.length === 0) {
      report.error(`no subject ${subject}`);
      return 1;
    }
    for (const e of events) await write(JSON.stringify({ subjectId: subject, ...trailEntryOf(e) }));
    return 0;
  }
  if (!args.includes('--all')) {
    report.error('usage: export --subject <id> | export --all');
    return 2;
  }
  let checkpoint: string | null = null;
  let exported = 0;
  for (;;) {
    const page = await store.readFeed(checkpoint, 5000);
    if (page.length === 0) break;
    // People's trails only: a breach's stream is the controller's record, not a person's.
    for (const e of page) {
      if (!isSubjectStream(e.streamId)) continue;
      await write(JSON.stringify({ subjectId: subjectIdOf(e.streamId), ...trailEntryOf(e) }));
      exported += 1;
    }
    checkpoint = page[page.length - 1]!.checkpoint;
    report.progress('events exported', exported);
  }
  return 0;
}
