import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort } from '../../../libs/postgres/src/embedded-server';
import { createTestDatabase } from '../../support/test-database';

const MAIN = resolve(__dirname, '../../../dist/apps/ledger/src/main.js');

/** One token per role, named `<role>-e2e` (LEDGER_TOKENS' `role:name:token`; tokens of 32+ characters). */
export const TOKENS = {
  ingest: 'ingest-token-e2e-0123456789abcdef',
  auditor: 'auditor-token-e2e-0123456789abcdef',
  dpo: 'dpo-token-e2e-0123456789abcdef-000',
  ops: 'ops-token-e2e-0123456789abcdef-000',
};
export const TOKEN_NAMES = { ingest: 'ingest-e2e', auditor: 'auditor-e2e', dpo: 'dpo-e2e', ops: 'ops-e2e' };
export const LEDGER_TOKENS = Object.entries(TOKENS)
  .map(([role, token]) => `${role}:${TOKEN_NAMES[role as keyof typeof TOKENS]}:${token}`)
  .join(',');
/** One master key for every instance of a test run, as instances of one deployment share theirs. */
const MASTER_KEY = randomBytes(32).toString('base64');
/** The verifiable log's signing key (an Ed25519 seed), shared by the instances of a run as well. */
export const SIGNING_KEY = randomBytes(32).toString('base64');

export { freePort };

/** The built service (`npm run build` output) as a child process, as `npm start` runs it. */
export class LedgerProcess {
  readonly output: string[] = [];
  private child: ChildProcess | null = null;

  private constructor(
    readonly port: number,
    readonly env: NodeJS.ProcessEnv,
  ) {}

  static async start(env: NodeJS.ProcessEnv): Promise<LedgerProcess> {
    const port = await freePort();
    const ledger = new LedgerProcess(port, {
      // Under the run's own directory, which the global teardown removes.
      LEDGER_DATA_DIR: mkdtempSync(join(process.env.LEDGER_TEST_TMP ?? tmpdir(), 'ledger-e2e-')),
      LEDGER_TOKENS,
      LEDGER_MASTER_KEY: MASTER_KEY,
      LEDGER_SIGNING_KEY: SIGNING_KEY,
      ...env,
      PORT: String(port),
    });
    await ledger.boot();
    return ledger;
  }

  /** How the last run ended: an exit code, or the signal that ended it. */
  get ended(): { code: number | null; signal: NodeJS.Signals | null } {
    return { code: this.child?.exitCode ?? null, signal: this.child?.signalCode ?? null };
  }

  /** The service on a fresh database of the test PostgreSQL; `stop` ends it and drops the database. */
  static async onFreshDatabase(
    env: NodeJS.ProcessEnv = {},
  ): Promise<{ ledger: LedgerProcess; databaseUrl: string; stop(): Promise<void> }> {
    const db = await createTestDatabase();
    const ledger = await LedgerProcess.start({ LEDGER_STORE: 'postgres', DATABASE_URL: db.url, ...env });
    return {
      ledger,
      databaseUrl: db.url,
      stop: async () => {
        await ledger.stop();
        await db.drop();
      },
    };
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Starts (or starts again, after a kill) and waits until /health answers 200. */
  async boot(): Promise<void> {
    const child = spawn(process.execPath, [MAIN], {
      env: { PATH: process.env.PATH, HOME: process.env.HOME, NO_COLOR: '1', ...this.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    child.stdout!.on('data', (b: Buffer) => this.output.push(b.toString()));
    child.stderr!.on('data', (b: Buffer) => this.output.push(b.toString()));
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      if (child.exitCode !== null) throw new Error(`ledger exited with ${child.exitCode}:\n${this.output.join('')}`);
      try {
        if ((await fetch(`${this.url}/health`)).status === 200) return;
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(`ledger did not become healthy:\n${this.output.join('')}`);
  }

  /** SIGKILL: no shutdown hook runs, as in a crash. */
  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill(signal);
    await exited;
  }

  async stop(): Promise<void> {
    await this.kill('SIGTERM');
  }

  async request(
    method: string,
    path: string,
    role: keyof typeof TOKENS | null,
    body?: unknown,
    headers: Record<string, string> = {},
  ) {
    const response = await fetch(`${this.url}${path}`, {
      method,
      headers: {
        ...(role ? { authorization: `Bearer ${TOKENS[role]}` } : {}),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...headers,
      },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await response.text();
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- each test reads the answer it expects
    let json: any;
    try {
      json = JSON.parse(text);
    } catch {
      json = text;
    }
    return { status: response.status, body: json };
  }

  post = (body: unknown, role: keyof typeof TOKENS | null = 'ingest') => this.request('POST', '/v1/events', role, body);
  get = (path: string, role: keyof typeof TOKENS | null = 'auditor', headers: Record<string, string> = {}) =>
    this.request('GET', path, role, undefined, headers);
}
