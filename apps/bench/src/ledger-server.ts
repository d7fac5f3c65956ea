import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { openSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { freePort } from '#ledger/postgres';
import { processCpuSeconds } from './cpu';

/** Tokens of the length the service asks for, new each run. */
const token = () => randomBytes(24).toString('base64url');
export const BENCH_TOKENS = { ingest: token(), auditor: token(), dpo: token(), ops: token() };
/**
 * One master key for every service and ops command of a run, as one deployment shares its key:
 * outside the embedded default the service does not start without one.
 */
export const BENCH_MASTER_KEY = randomBytes(32).toString('base64');
/** The verifiable log's signing key (an Ed25519 seed), required outside the embedded default. */
export const BENCH_SIGNING_KEY = randomBytes(32).toString('base64');

/** The built service, started as `npm start` runs it, on the benchmark's database. */
export class LedgerServer {
  private constructor(
    readonly url: string,
    private readonly child: ChildProcess,
  ) {}

  static async start(env: NodeJS.ProcessEnv): Promise<LedgerServer> {
    const port = await freePort();
    const main = resolve(__dirname, '../../ledger/src/main.js');
    // BENCH_NODE_ARGS: flags for the service's node, for profiling (e.g. --cpu-prof --cpu-prof-dir=/tmp/p).
    const nodeArgs = process.env.BENCH_NODE_ARGS?.split(' ').filter(Boolean) ?? [];
    const child = spawn(process.execPath, [...nodeArgs, main], {
      env: {
        ...process.env,
        PORT: String(port),
        LEDGER_TOKENS: Object.entries(BENCH_TOKENS)
          .map(([r, t]) => `${r}:bench-${r}:${t}`)
          .join(','),
        LEDGER_MASTER_KEY: BENCH_MASTER_KEY,
        LEDGER_SIGNING_KEY: BENCH_SIGNING_KEY,
        // The benchmark measures the service's reads, not the per-token limit that would cap them.
        LEDGER_READ_RATE_LIMIT: '1000000000',
        NO_COLOR: '1',
        ...env,
      },
      // BENCH_SERVICE_STDOUT: a file the services' standard output is appended to (e.g. --trace-gc's lines).
      stdio: [
        'ignore',
        process.env.BENCH_SERVICE_STDOUT ? openSync(process.env.BENCH_SERVICE_STDOUT, 'a') : 'ignore',
        'inherit',
      ],
    });
    // A benchmark that dies (a closed pipe, Ctrl-C) must not leave its server running.
    process.once('exit', () => child.kill('SIGKILL'));
    const server = new LedgerServer(`http://127.0.0.1:${port}`, child);
    for (let i = 0; i < 300; i += 1) {
      if (child.exitCode !== null) throw new Error(`ledger exited with ${child.exitCode}`);
      if (
        await fetch(`${server.url}/health`).then(
          (r) => r.ok,
          () => false,
        )
      )
        return server;
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error('ledger did not become healthy');
  }

  /** CPU seconds the service process has used so far, all its threads (null where /proc cannot tell). */
  cpuSeconds(): number | null {
    return processCpuSeconds(this.child.pid!);
  }

  /** Peak resident memory of the service process so far (VmHWM), in MB. */
  rssPeakMb(): number {
    const status = readFileSync(`/proc/${this.child.pid}/status`, 'utf8');
    return Number(/VmHWM:\s+(\d+) kB/.exec(status)![1]) / 1024;
  }

  async stop(): Promise<void> {
    const exited = new Promise((r) => this.child.once('exit', r));
    this.child.kill('SIGTERM');
    await exited;
  }
}
