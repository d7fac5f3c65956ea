import { execFile, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from '../../libs/postgres/src/embedded-server';
import { kafkaConnection, type KafkaConnection } from '../../libs/kafka/src/kafkajs/connection';

const SCRIPT = resolve(__dirname, '../../deploy/kafka/kafka.sh');
const run = promisify(execFile);
const STATE_PREFIX = 'kafka-sasl-ssl-';

/** A second broker of deploy/kafka, serving clients only on SASL_SSL; `stop` ends it. */
export interface SaslSslBroker {
  readonly brokers: string;
  /** The PEM of the CA kafka.sh made for it. */
  readonly caFile: string;
  readonly username: string;
  readonly password: string;
  /** What the service's KAFKA_* variables would be for it, with SCRAM-SHA-512. */
  readonly env: Record<string, string>;
  /** The same as kafkajs options, for the test's own clients. */
  readonly connection: KafkaConnection;
  stop(): Promise<void>;
}

/**
 * Starts a broker with its own ports and state directory (under the run's LEDGER_TEST_TMP), on
 * the jars of the default broker's state directory, with a smaller heap than the default one.
 */
export async function startSaslSslBroker(): Promise<SaslSslBroker> {
  const home = mkdtempSync(join(process.env.LEDGER_TEST_TMP ?? tmpdir(), STATE_PREFIX));
  const [port, controllerPort] = [await freePort(), await freePort()];
  const username = 'ledger';
  const password = randomBytes(18).toString('base64url');
  const scriptEnv = {
    ...process.env,
    KAFKA_SASL_SSL: '1',
    KAFKA_HOME_DIR: home,
    KAFKA_PORT: String(port),
    KAFKA_CONTROLLER_PORT: String(controllerPort),
    KAFKA_LIB_DIR: resolve(__dirname, '../../.kafka/lib'),
    KAFKA_HEAP_OPTS: '-Xms128m -Xmx512m',
    KAFKA_SASL_USERNAME: username,
    KAFKA_SASL_PASSWORD: password,
  };
  const script = (command: 'start' | 'stop') =>
    run('bash', [SCRIPT, command], { env: scriptEnv, timeout: 300_000 }).catch(
      (error: { stdout?: string; stderr?: string }) => {
        throw new Error(
          `deploy/kafka/kafka.sh ${command} (SASL_SSL) failed:\n${error.stdout ?? ''}${error.stderr ?? ''}`,
        );
      },
    );
  await script('start');
  const caFile = join(home, 'tls', 'ca.pem');
  const env = {
    KAFKA_BROKERS: `127.0.0.1:${port}`,
    KAFKA_SSL: 'true',
    KAFKA_SSL_CA_FILE: caFile,
    KAFKA_SASL_MECHANISM: 'scram-sha-512',
    KAFKA_SASL_USERNAME: username,
    KAFKA_SASL_PASSWORD: password,
  } as const;
  return {
    brokers: env.KAFKA_BROKERS,
    caFile,
    username,
    password,
    env,
    connection: kafkaConnection(env)!,
    stop: async () => {
      await script('stop');
    },
  };
}

/** A safety net for the global teardown: stops a SASL_SSL broker a crashed suite left in this run's directory. */
export function stopLeftoverSaslSslBrokers(runDir: string): void {
  for (const name of readdirSync(runDir).filter((n) => n.startsWith(STATE_PREFIX))) {
    const home = join(runDir, name);
    if (!existsSync(join(home, 'kafka.pid'))) continue;
    try {
      execFileSync('bash', [SCRIPT, 'stop'], {
        env: { ...process.env, KAFKA_SASL_SSL: '1', KAFKA_HOME_DIR: home },
        stdio: 'ignore',
        timeout: 60_000,
      });
    } catch {
      // Best effort: the run's directory is removed next either way.
    }
  }
}
