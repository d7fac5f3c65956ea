import { Agent, request } from 'node:http';
import { percentile, round } from './stats';

const agent = new Agent({ keepAlive: true, maxSockets: 64 });

/** A GET on a kept-alive connection with node's own client; its status and body. */
export const getText = (base: string, path: string, token: string): Promise<{ status: number; body: string }> =>
  new Promise((resolve, reject) => {
    const target = new URL(path, base);
    const req = request(
      {
        host: target.hostname,
        port: target.port,
        path: `${target.pathname}${target.search}`,
        agent,
        headers: { authorization: `Bearer ${token}` },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      },
    );
    req.on('error', reject);
    req.end();
  });

export interface Latencies {
  readonly count: number;
  readonly p50: number;
  readonly p99: number;
}

export interface ReadLoad {
  readonly base: string;
  readonly token: string;
  /** The path of the next request (a random person's, say). */
  readonly path: () => string;
  readonly concurrency: number;
  readonly durationMs: number;
  /** Stop early after this many requests. @defaultValue Infinity */
  readonly maxRequests?: number;
}

/** GETs at a concurrency for a while; each must answer 200. Latencies in ms. */
export async function readLatencies(load: ReadLoad): Promise<Latencies> {
  const latencies: number[] = [];
  const until = performance.now() + load.durationMs;
  const max = load.maxRequests ?? Infinity;
  await Promise.all(
    Array.from({ length: load.concurrency }, async () => {
      while (performance.now() < until && latencies.length < max) {
        const path = load.path();
        const t = performance.now();
        const { status } = await getText(load.base, path, load.token);
        if (status !== 200) throw new Error(`GET ${path.split('?')[0]} answered ${status}`);
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

/** A random item of a list. */
export const pick = <T>(items: readonly T[]): T => items[Math.floor(Math.random() * items.length)]!;
