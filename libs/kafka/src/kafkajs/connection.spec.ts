import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KafkaJSConnectionError, KafkaJSNumberOfRetriesExceeded, KafkaJSSASLAuthenticationError } from 'kafkajs';
import { explainKafkaFailure, kafkaConnection } from './connection';

const PEM =
  '-----BEGIN CERTIFICATE-----\n' +
  'MIIBkTCB+wIJAKHBfpegPjMCMA0GCSqGSIb3DQEBCwUAMBExDzANBgNVBAMMBnRl\n' +
  '-----END CERTIFICATE-----\n';
const PASSWORD = 'pw-that-must-not-show-9f3c';
const scram = {
  KAFKA_SASL_MECHANISM: 'scram-sha-512',
  KAFKA_SASL_USERNAME: 'ledger',
  KAFKA_SASL_PASSWORD: PASSWORD,
} as const;

describe('kafkaConnection (KAFKA_SSL, KAFKA_SSL_CA_FILE, KAFKA_SASL_*)', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'kafka-connection-'));
    writeFileSync(join(dir, 'ca.pem'), PEM);
    writeFileSync(join(dir, 'not-a-ca.txt'), 'hello');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('is null without brokers, and plain brokers alone with nothing else set', () => {
    expect(kafkaConnection({})).toBeNull();
    expect(kafkaConnection({ KAFKA_BROKERS: ' , ' })).toBeNull();
    expect(kafkaConnection({ KAFKA_BROKERS: ' a:9092, b:9092 ,', KAFKA_SSL: 'false' })).toEqual({
      brokers: ['a:9092', 'b:9092'],
    });
  });

  it("trusts the system's CAs with KAFKA_SSL alone, and only the named CA with KAFKA_SSL_CA_FILE", () => {
    expect(kafkaConnection({ KAFKA_BROKERS: 'a:9093', KAFKA_SSL: 'true' })).toEqual({ brokers: ['a:9093'], ssl: true });
    expect(
      kafkaConnection({ KAFKA_BROKERS: 'a:9093', KAFKA_SSL: 'true', KAFKA_SSL_CA_FILE: join(dir, 'ca.pem') }),
    ).toEqual({ brokers: ['a:9093'], ssl: { ca: [PEM] } });
  });

  it('refuses a CA file that is missing, not PEM, or set without KAFKA_SSL, naming the variable', () => {
    const tls = { KAFKA_BROKERS: 'a:9093', KAFKA_SSL: 'true' } as const;
    expect(() => kafkaConnection({ ...tls, KAFKA_SSL_CA_FILE: join(dir, 'missing.pem') })).toThrow(
      'KAFKA_SSL_CA_FILE cannot be read (ENOENT)',
    );
    expect(() => kafkaConnection({ ...tls, KAFKA_SSL_CA_FILE: join(dir, 'not-a-ca.txt') })).toThrow(
      'KAFKA_SSL_CA_FILE holds no PEM certificate',
    );
    expect(() => kafkaConnection({ KAFKA_BROKERS: 'a:9093', KAFKA_SSL_CA_FILE: join(dir, 'ca.pem') })).toThrow(
      'KAFKA_SSL_CA_FILE is set but KAFKA_SSL is not true',
    );
  });

  it('adds SASL credentials for scram-sha-512 (with or without TLS) and for plain over TLS', () => {
    expect(kafkaConnection({ KAFKA_BROKERS: 'a:9093', KAFKA_SSL: 'true', ...scram })).toEqual({
      brokers: ['a:9093'],
      ssl: true,
      sasl: { mechanism: 'scram-sha-512', username: 'ledger', password: PASSWORD },
    });
    expect(kafkaConnection({ KAFKA_BROKERS: 'a:9092', ...scram })?.sasl?.mechanism).toBe('scram-sha-512');
    expect(
      kafkaConnection({ KAFKA_BROKERS: 'a:9093', KAFKA_SSL: 'true', ...scram, KAFKA_SASL_MECHANISM: 'plain' })?.sasl,
    ).toEqual({
      mechanism: 'plain',
      username: 'ledger',
      password: PASSWORD,
    });
  });

  it('refuses PLAIN without TLS, and a mechanism without both credentials, never quoting the password', () => {
    const attempt = (settings: Parameters<typeof kafkaConnection>[0]) => {
      try {
        kafkaConnection(settings);
      } catch (error) {
        return (error as Error).message;
      }
      return 'no error';
    };
    const plainInClear = attempt({ KAFKA_BROKERS: 'a:9092', ...scram, KAFKA_SASL_MECHANISM: 'plain' });
    expect(plainInClear).toBe(
      'configuration: KAFKA_SASL_MECHANISM=plain sends the password in clear: set KAFKA_SSL=true',
    );
    expect(attempt({ KAFKA_BROKERS: 'a:9092', ...scram, KAFKA_SASL_USERNAME: '' })).toBe(
      'configuration: KAFKA_SASL_MECHANISM needs KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD',
    );
    expect(
      attempt({ KAFKA_BROKERS: 'a:9092', KAFKA_SASL_MECHANISM: 'plain', KAFKA_SASL_USERNAME: 'ledger' }),
    ).toContain('needs KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD');
    expect(plainInClear).not.toContain(PASSWORD);
  });

  it('is plain data, so the projection thread receives the same options through its workerData', () => {
    const connection = kafkaConnection({
      KAFKA_BROKERS: 'a:9093',
      KAFKA_SSL: 'true',
      KAFKA_SSL_CA_FILE: join(dir, 'ca.pem'),
      ...scram,
    });
    expect(structuredClone(connection)).toEqual(connection);
  });
});

describe('explainKafkaFailure', () => {
  const connection = kafkaConnection({ KAFKA_BROKERS: 'a:9093', KAFKA_SSL: 'true', ...scram })!;

  it('turns a refused SASL login into a message naming the variables, not the password', () => {
    // kafkajs's typings leave out this constructor's message.
    const refused: Error = Reflect.construct(KafkaJSSASLAuthenticationError, [
      'SASL SCRAM SHA512 authentication failed: Authentication failed due to invalid credentials',
    ]);
    const explained = explainKafkaFailure(refused, connection) as Error;
    expect(explained.name).toBe('KafkaAuthenticationError');
    expect(explained.message).toBe(
      'Kafka SASL authentication failed (KAFKA_SASL_MECHANISM=scram-sha-512): ' +
        'the brokers refused KAFKA_SASL_USERNAME with KAFKA_SASL_PASSWORD',
    );
    expect(`${explained.stack}`).not.toContain(PASSWORD);
  });

  it('says when the brokers do not offer the mechanism, rather than blaming the password', () => {
    const unsupported: Error = Reflect.construct(KafkaJSSASLAuthenticationError, [
      'SASL SCRAM-SHA-512 mechanism is not supported by the server',
    ]);
    expect((explainKafkaFailure(unsupported, connection) as Error).message).toBe(
      'Kafka SASL: the brokers do not offer KAFKA_SASL_MECHANISM=scram-sha-512',
    );
  });

  it("names KAFKA_SSL_CA_FILE when the broker's certificate is refused, also after kafkajs's retries", () => {
    const refused = new KafkaJSConnectionError('Connection error: self-signed certificate in certificate chain', {
      broker: 'a:9093',
      code: 'SELF_SIGNED_CERT_IN_CHAIN',
    });
    const expected =
      "Kafka TLS: the broker's certificate was refused (SELF_SIGNED_CERT_IN_CHAIN); " +
      'KAFKA_SSL_CA_FILE must name the CA that signed it';
    expect((explainKafkaFailure(refused, connection) as Error).message).toBe(expected);
    const exhausted = new KafkaJSNumberOfRetriesExceeded(refused, { retryCount: 10, retryTime: 10_000 });
    expect(explainKafkaFailure(exhausted, connection)).toMatchObject({ name: 'KafkaTlsError', message: expected });
  });

  it('passes every other failure on as it is', () => {
    const closed = new KafkaJSConnectionError('Connection error: connect ECONNREFUSED');
    expect(explainKafkaFailure(closed, connection)).toBe(closed);
    expect(explainKafkaFailure('text', connection)).toBe('text');
    expect(explainKafkaFailure(null, connection)).toBeNull();
  });
});
