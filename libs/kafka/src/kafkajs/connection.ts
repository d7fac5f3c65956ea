import { readFileSync } from 'node:fs';

/** The variables that say how to reach the brokers (CONTRACT §4, LedgerConfig's names). */
export interface KafkaConnectionSettings {
  /** Comma-separated brokers; unset: no Kafka. */
  readonly KAFKA_BROKERS?: string;
  /** `true`: TLS to the brokers. @defaultValue false */
  readonly KAFKA_SSL?: 'true' | 'false';
  /** PEM of the CA that signed the brokers' certificates; unset: the system's CAs. */
  readonly KAFKA_SSL_CA_FILE?: string;
  /** Unset: no SASL. */
  readonly KAFKA_SASL_MECHANISM?: 'scram-sha-512' | 'plain';
  readonly KAFKA_SASL_USERNAME?: string;
  readonly KAFKA_SASL_PASSWORD?: string;
}

/**
 * kafkajs's `brokers`, `ssl` and `sasl` options, as plain data so that the projection thread gets
 * the same ones through its workerData. Holds the password: never log it.
 */
export interface KafkaConnection {
  readonly brokers: string[];
  readonly ssl?: true | { readonly ca: string[] };
  readonly sasl?: SaslCredentials<'scram-sha-512'> | SaslCredentials<'plain'>;
}

interface SaslCredentials<M extends string> {
  readonly mechanism: M;
  readonly username: string;
  readonly password: string;
}

/**
 * Maps the variables to kafkajs's options; null without KAFKA_BROKERS. The CA file is read here,
 * once, so that a wrong path stops the start naming the variable rather than failing every connect.
 */
export function kafkaConnection(settings: KafkaConnectionSettings): KafkaConnection | null {
  const brokers = (settings.KAFKA_BROKERS ?? '')
    .split(',')
    .map((b) => b.trim())
    .filter(Boolean);
  if (brokers.length === 0) return null;
  const tls = settings.KAFKA_SSL === 'true';
  if (settings.KAFKA_SSL_CA_FILE && !tls)
    throw new Error('configuration: KAFKA_SSL_CA_FILE is set but KAFKA_SSL is not true');
  let ssl: KafkaConnection['ssl'];
  if (tls) ssl = settings.KAFKA_SSL_CA_FILE ? { ca: [readCa(settings.KAFKA_SSL_CA_FILE)] } : true;

  const { KAFKA_SASL_MECHANISM: mechanism, KAFKA_SASL_USERNAME: username, KAFKA_SASL_PASSWORD: password } = settings;
  if (!mechanism) return { brokers, ...(ssl ? { ssl } : {}) };
  if (!username || !password)
    throw new Error('configuration: KAFKA_SASL_MECHANISM needs KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD');
  // PLAIN sends the password itself; only TLS keeps it off the wire.
  if (mechanism === 'plain' && !tls)
    throw new Error('configuration: KAFKA_SASL_MECHANISM=plain sends the password in clear: set KAFKA_SSL=true');
  return { brokers, ...(ssl ? { ssl } : {}), sasl: { mechanism, username, password } };
}

/**
 * The options to give one kafkajs client: a copy, because kafkajs stores its authenticator (with
 * the credentials it was first given) in the `sasl` object it receives, and reuses it from there.
 */
export function kafkajsOptions({ brokers, ssl, sasl }: KafkaConnection): {
  brokers: string[];
  ssl?: KafkaConnection['ssl'];
  sasl?: KafkaConnection['sasl'];
} {
  return { brokers: [...brokers], ...(ssl ? { ssl } : {}), ...(sasl ? { sasl: { ...sasl } } : {}) };
}

function readCa(file: string): string {
  let pem: string;
  try {
    pem = readFileSync(file, 'utf8');
  } catch (error) {
    throw new Error(
      `configuration: KAFKA_SSL_CA_FILE cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
      { cause: error },
    );
  }
  if (!pem.includes('-----BEGIN CERTIFICATE-----'))
    throw new Error('configuration: KAFKA_SSL_CA_FILE holds no PEM certificate');
  return pem;
}

/** Node's codes for a certificate the client refused (an unknown CA, a wrong name, expired). */
const CERTIFICATE_REFUSED = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER/;

/**
 * The error to stop the start with when the brokers and our settings do not fit: a refused login,
 * a mechanism the brokers do not offer, a broker certificate we do not trust. The message names
 * the variables, never their values. Other errors pass as they are.
 */
export function explainKafkaFailure(error: unknown, connection: KafkaConnection): unknown {
  const mechanism = `KAFKA_SASL_MECHANISM=${connection.sasl?.mechanism ?? 'unset'}`;
  for (const cause of causes(error)) {
    if (cause.name === 'KafkaJSSASLAuthenticationError') {
      return /not supported by the server/.test(cause.message ?? '')
        ? named('KafkaAuthenticationError', `Kafka SASL: the brokers do not offer ${mechanism}`)
        : named(
            'KafkaAuthenticationError',
            `Kafka SASL authentication failed (${mechanism}): ` +
              'the brokers refused KAFKA_SASL_USERNAME with KAFKA_SASL_PASSWORD',
          );
    }
    if (cause.name === 'KafkaJSConnectionError' && CERTIFICATE_REFUSED.test(cause.code ?? '')) {
      return named(
        'KafkaTlsError',
        `Kafka TLS: the broker's certificate was refused (${cause.code}); ` +
          'KAFKA_SSL_CA_FILE must name the CA that signed it',
      );
    }
  }
  return error;
}

interface ErrorLike {
  readonly name?: string;
  readonly message?: string;
  readonly code?: string;
  readonly cause?: unknown;
}

/** The error and what caused it, as kafkajs chains them (its retries wrap the last failure). */
function* causes(error: unknown): Generator<ErrorLike> {
  for (
    let e = error, depth = 0;
    typeof e === 'object' && e !== null && depth < 5;
    e = (e as ErrorLike).cause, depth += 1
  )
    yield e as ErrorLike;
}

function named(name: string, message: string): Error {
  const error = new Error(message);
  error.name = name;
  return error;
}
