import { plainToInstance, Transform } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Matches, Max, Min, validateSync } from 'class-validator';

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
  /**
   * With `postgres` or `kurrentdb`: the same database as the role that owns the ledger's tables,
   * which applies the migrations and grants DATABASE_URL's role what it needs; unset: DATABASE_URL
   * migrates, and its privileges are granted by hand.
   */
  @Transform(text) @IsOptional() @IsString() DATABASE_OWNER_URL?: string;
  @Transform(text) @IsOptional() @IsString() KURRENTDB_URL?: string;

  /** Comma-separated Kafka brokers; unset: no Kafka. */
  @Transform(text) @IsOptional() @IsString() KAFKA_BROKERS?: string;
  @IsString() KAFKA_TOPIC = 'personal-data-events';
  @IsString() KAFKA_GROUP_ID = 'processing-ledger';
  @IsString() KAFKA_LEDGER_TOPIC = 'personal-data-ledger';

  /** `true`: connect to the brokers over TLS. @defaultValue false */
  @IsIn(['true', 'false']) KAFKA_SSL: 'true' | 'false' = 'false';
  /** PEM file of the CA that signed the brokers' certificates; unset: the system's CAs. */
  @Transform(text) @IsOptional() @IsString() KAFKA_SSL_CA_FILE?: string;
  /** SASL mechanism; unset: no SASL. */
  @Transform(text) @IsOptional() @IsIn(['scram-sha-512', 'plain']) KAFKA_SASL_MECHANISM?: 'scram-sha-512' | 'plain';
  @Transform(text) @IsOptional() @IsString() KAFKA_SASL_USERNAME?: string;
  @Transform(text) @IsOptional() @IsString() KAFKA_SASL_PASSWORD?: string;

  /**
   * Comma-separated `role:name:token` entries (v1's `role:token` still works, named
   * `<role>-<first 8 hex of the token's SHA-256>`); unset: tokens are generated into LEDGER_DATA_DIR.
   */
  @Transform(text) @IsOptional() @IsString() LEDGER_TOKENS?: string;
  /** 32 bytes, base64. Required outside the embedded default, which generates one into its data directory. */
  @Transform(text) @IsOptional() @IsString() LEDGER_MASTER_KEY?: string;
  /**
   * Where the embedded default keeps its generated master key, apart from the data.
   * @defaultValue LEDGER_DATA_DIR/master.key
   */
  @Transform(text) @IsOptional() @IsString() LEDGER_MASTER_KEY_FILE?: string;

  /** The largest request body, as the body parser reads it (`2mb`, `500kb`). @defaultValue 2mb */
  @Matches(/^\d+(b|kb|mb)$/i, { message: 'LEDGER_BODY_LIMIT must be a size such as 2mb or 500kb' }) LEDGER_BODY_LIMIT =
    '2mb';
  /** Days a dead letter's sealed values stay readable (for `dlq replay`); then its key goes. @defaultValue 30 */
  @Transform(int) @IsInt() @Min(1) LEDGER_DLQ_RETENTION_DAYS = 30;
  /** `required`: a read of a person's values without `X-Access-Reason` is 400 REASON_REQUIRED. @defaultValue optional*/
  @IsIn(['optional', 'required']) LEDGER_ACCESS_REASON: 'optional' | 'required' = 'optional';
  /** Reads per token per minute before 429 with Retry-After. @defaultValue 1200 */
  @Transform(int) @IsInt() @Min(1) LEDGER_READ_RATE_LIMIT = 1200;
  /** When set, /metrics is served without a token on this port (for a scraper inside the cluster) as well. */
  @Transform(int) @IsOptional() @IsInt() @Min(0) @Max(65535) METRICS_PORT?: number;
  /** Path of the policy file; unset: the default policy that ships with the project. */
  @Transform(text) @IsOptional() @IsString() LEDGER_POLICY?: string;

  /** How long a POST waits for the read models to show its write (read-your-writes). @defaultValue 5000 */
  @Transform(int) @IsInt() @Min(0) LEDGER_READ_YOUR_WRITES_MS = 5000;
  /**
   * Connections to PostgreSQL. Small on purpose: on a few cores, more backends than cores only
   * add context switches.
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

  /**
   * The verifiable log's signing key: a 32-byte Ed25519 seed, base64. Required outside the embedded
   * default, which generates one into LEDGER_SIGNING_KEY_FILE.
   */
  @Transform(text) @IsOptional() @IsString() LEDGER_SIGNING_KEY?: string;
  /** Where the embedded default keeps its generated signing key. @defaultValue LEDGER_DATA_DIR/signing.key */
  @Transform(text) @IsOptional() @IsString() LEDGER_SIGNING_KEY_FILE?: string;
  /** The checkpoints' first line (the log's name). @defaultValue processing-ledger/<the policy's controller> */
  @Transform(text)
  @IsOptional()
  @Matches(/^\S+$/, { message: 'LEDGER_LOG_ORIGIN must have no spaces' })
  LEDGER_LOG_ORIGIN?: string;
  /** The longest time between signed checkpoints while the tree grows. @defaultValue 10000 */
  @Transform(int) @IsInt() @Min(100) @Max(2_147_483_647) LEDGER_CHECKPOINT_INTERVAL_MS = 10_000;

  /** This instance's name in the Kafka group (its transactional id). @defaultValue hostname-PORT */
  @Transform(text) @IsOptional() @IsString() LEDGER_INSTANCE_ID?: string;

  /**
   * The OpenID provider whose JWTs are accepted as bearer tokens besides LEDGER_TOKENS: an https
   * URL (http only on 127.0.0.1 or localhost, for tests), exactly as its tokens' `iss` says it.
   * Unset: static tokens only.
   */
  @Transform(text) @IsOptional() @IsString() LEDGER_OIDC_ISSUER?: string;
  /** The `aud` the ledger's tokens carry. Required with LEDGER_OIDC_ISSUER. */
  @Transform(text) @IsOptional() @IsString() LEDGER_OIDC_AUDIENCE?: string;
  /** The claim that holds a JWT's roles (an array, or a space-separated string). @defaultValue roles */
  @IsString() @Matches(/^\S+$/) LEDGER_OIDC_ROLES_CLAIM = 'roles';
  /**
   * The claim that names a JWT's holder in the access log; `sub` where it is missing.
   * @defaultValue preferred_username
   */
  @IsString() @Matches(/^\S+$/) LEDGER_OIDC_NAME_CLAIM = 'preferred_username';
  /** The console's public client id at the provider. @defaultValue LEDGER_OIDC_AUDIENCE */
  @Transform(text) @IsOptional() @IsString() LEDGER_OIDC_CLIENT_ID?: string;

  /** Single sign-on, set from the LEDGER_OIDC_* variables once they are checked; unset: no OIDC. */
  oidc?: OidcSettings;
}

/** Single sign-on (CONTRACT §6): whose JWTs the API accepts, and the console's client at that provider. */
export interface OidcSettings {
  issuer: string;
  audience: string;
  clientId: string;
  rolesClaim: string;
  nameClaim: string;
}

/** Every variable the service reads (CONTRACT §4 and the ledger's own), for docs and deploy checks. */
export const CONFIG_VARIABLES = [
  'PORT',
  'LEDGER_STORE',
  'LEDGER_DATA_DIR',
  'DATABASE_URL',
  'DATABASE_OWNER_URL',
  'KURRENTDB_URL',
  'KAFKA_BROKERS',
  'KAFKA_TOPIC',
  'KAFKA_GROUP_ID',
  'KAFKA_LEDGER_TOPIC',
  'KAFKA_SSL',
  'KAFKA_SSL_CA_FILE',
  'KAFKA_SASL_MECHANISM',
  'KAFKA_SASL_USERNAME',
  'KAFKA_SASL_PASSWORD',
  'LEDGER_TOKENS',
  'LEDGER_MASTER_KEY',
  'LEDGER_MASTER_KEY_FILE',
  'LEDGER_BODY_LIMIT',
  'LEDGER_DLQ_RETENTION_DAYS',
  'LEDGER_ACCESS_REASON',
  'LEDGER_READ_RATE_LIMIT',
  'METRICS_PORT',
  'LEDGER_POLICY',
  'LEDGER_READ_YOUR_WRITES_MS',
  'LEDGER_PG_POOL_SIZE',
  'LEDGER_INSTANCE_ID',
  'LEDGER_ROLE',
  'LEDGER_PROJECTION_THREAD',
  'LEDGER_SIGNING_KEY',
  'LEDGER_SIGNING_KEY_FILE',
  'LEDGER_LOG_ORIGIN',
  'LEDGER_CHECKPOINT_INTERVAL_MS',
  'LEDGER_OIDC_ISSUER',
  'LEDGER_OIDC_AUDIENCE',
  'LEDGER_OIDC_ROLES_CLAIM',
  'LEDGER_OIDC_NAME_CLAIM',
  'LEDGER_OIDC_CLIENT_ID',
] as const;

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

/**
 * A URL the ledger fetches keys from: https, for plain http lets anyone on the path swap the keys;
 * loopback http is for a provider a test starts.
 */
export function fetchableUrlProblem(text: string): string | null {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return 'must be a URL';
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && LOOPBACK.has(url.hostname)))
    return 'must be an https URL (http only on 127.0.0.1 or localhost, for tests)';
  return null;
}

/** An issuer, as OpenID Discovery has it: fetchable, with no query or fragment. */
const issuerProblem = (issuer: string): string | null =>
  fetchableUrlProblem(issuer) ?? (/[?#]/.test(issuer) ? 'must have no query or fragment' : null);

function oidcSettings(config: LedgerConfig): OidcSettings | undefined {
  const issuer = config.LEDGER_OIDC_ISSUER;
  if (!issuer) {
    const stray = (['LEDGER_OIDC_AUDIENCE', 'LEDGER_OIDC_CLIENT_ID'] as const).find((name) => config[name]);
    if (stray) throw new Error(`configuration: ${stray} is set without LEDGER_OIDC_ISSUER`);
    return undefined;
  }
  const problem = issuerProblem(issuer);
  if (problem) throw new Error(`configuration: LEDGER_OIDC_ISSUER ${problem}`);
  const audience = config.LEDGER_OIDC_AUDIENCE;
  if (!audience)
    throw new Error('configuration: LEDGER_OIDC_ISSUER needs LEDGER_OIDC_AUDIENCE (the `aud` of its tokens)');
  return {
    issuer,
    audience,
    clientId: config.LEDGER_OIDC_CLIENT_ID ?? audience,
    rolesClaim: config.LEDGER_OIDC_ROLES_CLAIM,
    nameClaim: config.LEDGER_OIDC_NAME_CLAIM,
  };
}

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
  if (config.LEDGER_STORE === 'postgres' && !config.DATABASE_URL)
    throw new Error('configuration: LEDGER_STORE=postgres needs DATABASE_URL');
  if (config.LEDGER_STORE === 'kurrentdb' && (!config.KURRENTDB_URL || !config.DATABASE_URL)) {
    throw new Error(
      'configuration: LEDGER_STORE=kurrentdb needs KURRENTDB_URL (events) and DATABASE_URL (read models, keys)',
    );
  }
  if (config.KAFKA_SASL_MECHANISM && (!config.KAFKA_SASL_USERNAME || !config.KAFKA_SASL_PASSWORD)) {
    throw new Error('configuration: KAFKA_SASL_MECHANISM needs KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD');
  }
  if (config.LEDGER_ROLE === 'read' && config.LEDGER_STORE === 'embedded') {
    throw new Error(
      'configuration: LEDGER_ROLE=read serves a database that recording instances share: ' +
        'set LEDGER_STORE=postgres or kurrentdb',
    );
  }
  config.oidc = oidcSettings(config);
  return config;
}

/**
 * What the service (not every ops command) needs besides: outside the embedded default the keys
 * come from the environment, since a key generated into a container's disk is lost with the pod.
 */
export function checkServiceSecrets(config: LedgerConfig): void {
  if (config.LEDGER_STORE !== 'embedded' && !config.LEDGER_MASTER_KEY) {
    throw new Error(
      `configuration: LEDGER_MASTER_KEY is required with LEDGER_STORE=${config.LEDGER_STORE}; ` +
        'only the embedded default generates keys into its data directory',
    );
  }
  if (config.LEDGER_STORE !== 'embedded' && !config.LEDGER_SIGNING_KEY) {
    throw new Error(
      `configuration: LEDGER_SIGNING_KEY is required with LEDGER_STORE=${config.LEDGER_STORE}; ` +
        'only the embedded default generates keys into its data directory',
    );
  }
}
