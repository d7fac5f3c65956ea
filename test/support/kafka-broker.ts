import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';

const SCRIPT = resolve(__dirname, '../../deploy/kafka/kafka.sh');
export const TEST_KAFKA_BROKERS = process.env.LEDGER_TEST_KAFKA_BROKERS ?? '127.0.0.1:9092';

const run = (command: 'start' | 'stop' | 'status'): { ok: boolean; output: string } => {
  try {
    const output = execFileSync('bash', [SCRIPT, command], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 300_000,
    });
    return { ok: true, output };
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string };
    return { ok: false, output: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
};

/**
 * The real broker of deploy/kafka (Kafka in KRaft mode from Maven Central jars). Started if it is
 * not running; returns whether this run started it (and so should stop it).
 */
export function ensureKafkaBroker(): boolean {
  if (run('status').ok) return false;
  const started = run('start');
  if (!started.ok)
    throw new Error(`the Kafka broker could not be started (deploy/kafka/kafka.sh start):\n${started.output}`);
  return true;
}

export function stopKafkaBroker(): void {
  run('stop');
}
