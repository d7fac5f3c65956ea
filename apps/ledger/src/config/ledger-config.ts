import { plainToInstance, Transform } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Max, Min, validateSync } from 'class-validator';

const int = ({ value }: { value: unknown }) => (value === undefined || value === '' ? undefined : Number(value));
const text = ({ value }: { value: unknown }) => (value === '' ? undefined : value);

/**
 * The service's configuration (CONTRACT §4), read from the environment once at start and checked
 * at the edge: a wrong value stops the start with a message that names the variable.
 */
export class LedgerConfig {
  /** HTTP port. @defaultValue 3000 */
  @Transform(int) @IsInt() @Min(0) @Max(65535) PORT = 3000;

  /**
   * `embedded`: a PostgreSQL server the service starts itself in LEDGER_DATA_DIR; `postgres`: the
   * server at DATABASE_URL; `kurrentdb`: events in KurrentDB at KURRENTDB_URL, read models in
   * PostgreSQL. @defaultValue embedded
   */
  @IsIn(['embedded', 'postgres', 'kurrentdb']) LEDGER_STORE: 'embedded' | 'postgres' | 'kurrentdb' = 'embedded';

  /** Where the embedded server, generated tokens and the generated master key live. @defaultValue ./data */
  @IsString() LEDGER_DATA_DIR = './data';

  @Transform(text) @IsOptional() @IsString() DATABASE_URL?: string;
  @Transform(text) @IsOptional() @IsString() KURRENTDB_URL?: string;

  /** Comma-separated Kafka brokers; unset: no Kafka. */
  @Transform(text) @IsOptional() @IsString() KAFKA_BROKERS?: string;
  @IsString() KAFKA_TOPIC = 'personal-data-events';
  @IsString() KAFKA_GROUP_ID = 'processing-ledger';
  @IsString() KAFKA_LEDGER_TOPIC = 'personal-data-ledger';

  /** Comma-separated `role:token` pairs; unset: tokens are generated into LEDGER_DATA_DIR. */
  @Transform(text) @IsOptional() @IsString() LEDGER_TOKENS?: string;
  /** 32 bytes, base64; unset: generated into LEDGER_DATA_DIR (with a warning). */
  @Transform(text) @IsOptional() @IsString() LEDGER_MASTER_KEY?: string;
  /** Path of the policy file; unset: the default policy that ships with the project. */
  @Transform(text) @IsOptional() @IsString() LEDGER_POLICY?: string;

  /** How long a POST waits for the read models to show its write (read-your-writes). @defaultValue 5000 */
  @Transform(int) @IsInt() @Min(0) LEDGER_READ_YOUR_WRITES_MS = 5000;
  /**
   * Connections to PostgreSQL. Small on purpose: on a few cores, more backends than cores only
   * add context switches (measured on 2 cores: 20 connections served a third of what 6 did).
   * @defaultValue 8
   */
  @Transform(int) @IsInt() @Min(4) LEDGER_PG_POOL_SIZE = 8;

  /**
   * `all`: the instance records (HTTP, Kafka), keeps the read models and serves reads. `read`: it
   * only serves reads (state, trail, refs, access log, integrity) from the shared database: no
   * projection, no Kafka, no sweep, and writes are refused (421 READ_ONLY_INSTANCE), so that
   * auditors' reads are not slowed by ingestion on the same instance. @defaultValue all
   */
  @IsIn(['all', 'read']) LEDGER_ROLE: 'all' | 'read' = 'all';

  /**
   * `on`: the read models are kept by a worker thread of the service, so that their feed reads,
   * folds and writes leave the event loop that serves HTTP and records; `off`: on that event loop.
   * @defaultValue on
   */
  @IsIn(['on', 'off']) LEDGER_PROJECTION_THREAD: 'on' | 'off' = 'on';

  /** This instance's name in the Kafka group (its transactional id). @defaultValue hostname-PORT */
  @Transform(text) @IsOptional() @IsString() LEDGER_INSTANCE_ID?: string;
}

/** Every variable the service reads (CONTRACT §4 and the ledger's own), for docs and deploy checks. */
export const CONFIG_VARIABLES = [
  'PORT',
  'LEDGER_STORE',
  'LEDGER_DATA_DIR',
  'DATABASE_URL',
  'KURRENTDB_URL',
  'KAFKA_BROKERS',
  'KAFKA_TOPIC',
  'KAFKA_GROUP_ID',
  'KAFKA_LEDGER_TOPIC',
  'LEDGER_TOKENS',
  'LEDGER_MASTER_KEY',
  'LEDGER_POLICY',
  'LEDGER_READ_YOUR_WRITES_MS',
  'LEDGER_PG_POOL_SIZE',
  'LEDGER_INSTANCE_ID',
  'LEDGER_ROLE',
  'LEDGER_PROJECTION_THREAD',
] as const;

export function loadConfig(env: NodeJS.ProcessEnv = process.env): LedgerConfig {
  const known = new Set<string>(CONFIG_VARIABLES);
  const config = plainToInstance(LedgerConfig, Object.fromEntries(Object.entries(env).filter(([k]) => known.has(k))), {
    exposeDefaultValues: true,
  });
  const errors = validateSync(config, { whitelist: true });
  if (errors.length > 0) {
    const problems = errors.map((e) => `${e.property}: ${Object.values(e.constraints ?? {}).join(', ')}`);
    throw new Error(`configuration: ${problems.join('; ')}`);
  }
  if (config.LEDGER_STORE === 'postgres' && !config.DATABASE_URL) throw new Error('configuration: LEDGER_STORE=postgres needs DATABASE_URL');
  if (config.LEDGER_STORE === 'kurrentdb' && (!config.KURRENTDB_URL || !config.DATABASE_URL)) {
    throw new Error('configuration: LEDGER_STORE=kurrentdb needs KURRENTDB_URL (events) and DATABASE_URL (read models, keys)');
  }
  if (config.LEDGER_ROLE === 'read' && config.LEDGER_STORE === 'embedded') {
    throw new Error('configuration: LEDGER_ROLE=read serves a database that recording instances share: set LEDGER_STORE=postgres or kurrentdb');
  }
  return config;
}
