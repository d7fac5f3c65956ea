import 'reflect-metadata';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, posix, resolve } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import {
  checkServiceSecrets,
  CONFIG_VARIABLES,
  LedgerConfig,
  loadConfig,
} from '../../apps/ledger/src/config/ledger-config';
import { HEALTH_PATHS } from '../../apps/ledger/src/health/health-paths';

/**
 * No Docker engine or cluster runs here, so the deployment files are parsed and checked against
 * what the service reads and answers: variable names, the port, the probe paths, the files the
 * image needs at run time. They cannot drift from the code unnoticed.
 */
/** Parsed YAML: untyped by nature. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each test reads the shape it expects
type Yaml = Record<string, any>;

const ROOT = resolve(__dirname, '../..');
const DEPLOY = join(ROOT, 'deploy');
const DOCKERFILE = join(DEPLOY, 'docker/Dockerfile');
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');
const known = new Set<string>([...CONFIG_VARIABLES, 'NODE_ENV']);
const DEFAULT_PORT = new LedgerConfig().PORT;
const STORES_FOR_CONTAINERS = ['postgres', 'kurrentdb'];
const HEALTH = Object.values(HEALTH_PATHS) as string[];
/** Where the service would write generated keys, tokens or an embedded cluster. */
const WRITTEN_PATHS = ['LEDGER_DATA_DIR', 'LEDGER_MASTER_KEY_FILE'] as const;
/** The service as it starts: the configuration it reads, and the secrets it needs outside the embedded default. */
const startsWith = (env: Record<string, string | undefined>) => checkServiceSecrets(loadConfig(env));

/** `http://host:port/path` in a probe command: the port and the path. */
function probedUrl(command: string): { port: number; path: string } {
  const match = /https?:\/\/[^/:'"\s]+:(\d+)(\/[^'"\s)]*)/.exec(command);
  if (!match) throw new Error(`no http://host:port/path in ${command}`);
  return { port: Number(match[1]), path: match[2]! };
}

// --- Dockerfile -------------------------------------------------------------------------------

interface Instruction {
  readonly name: string;
  readonly args: string;
}

/** The instructions of a Dockerfile: comments dropped, continuation lines joined. */
function dockerInstructions(text: string): Instruction[] {
  const logical: string[] = [];
  let current = '';
  for (const line of text.split('\n')) {
    if (/^\s*#/.test(line)) continue;
    if (line.trimEnd().endsWith('\\')) {
      current += `${line.trimEnd().slice(0, -1)} `;
      continue;
    }
    current += line;
    if (current.trim()) logical.push(current.trim());
    current = '';
  }
  if (current.trim()) logical.push(current.trim());
  return logical.map((l) => {
    const [, name, args] = /^(\S+)\s*(.*)$/s.exec(l)!;
    return { name: name!.toUpperCase(), args: args!.replace(/\s+/g, ' ').trim() };
  });
}

/** ENV key=value pairs (quotes stripped) or the legacy `ENV key value`. */
function envPairs(args: string): Array<[string, string]> {
  if (!/^[A-Za-z_][A-Za-z0-9_]*=/.test(args)) {
    const [key, ...value] = args.split(' ');
    return [[key!, value.join(' ')]];
  }
  return [...args.matchAll(/([A-Za-z_][A-Za-z0-9_]*)=("[^"]*"|'[^']*'|\S*)/g)].map(([, k, v]) => [
    k!,
    v!.replace(/^["']|["']$/g, ''),
  ]);
}

const instructions = dockerInstructions(readFileSync(DOCKERFILE, 'utf8'));
const stages: Instruction[][] = [];
for (const instruction of instructions) {
  if (instruction.name === 'FROM') stages.push([]);
  stages.at(-1)?.push(instruction);
}
const runtime = stages.at(-1) ?? [];
const runtimeArgs = (name: string) => runtime.filter((i) => i.name === name).map((i) => i.args);
const runtimeEnv = new Map(runtimeArgs('ENV').flatMap(envPairs));
const IMAGE_USER_IDS: Record<string, number> = { node: 1000, root: 0 };

function dockerignore(path: string): string[] {
  return read(path)
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
}

/** Whether a .dockerignore pattern (the simple forms used here) excludes a context path. */
function ignored(patterns: readonly string[], path: string): boolean {
  const toRegExp = (pattern: string) => {
    const body = pattern
      .replace(/^\/+|\/+$/g, '')
      .replace(/[.+^${}()|[\]\\?]/g, '\\$&')
      .replace(/\*\*\//g, '\uE000')
      .replace(/\*/g, '[^/]*')
      .replace(/\uE000/g, '(?:.*/)?');
    return new RegExp(`^${body}(?:/.*)?$`);
  };
  return patterns.filter((p) => !p.startsWith('!')).some((p) => toRegExp(p).test(posix.normalize(path)));
}

describe('the Dockerfile', () => {
  it('builds in one stage and runs from another, with production dependencies only', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    const build = stages.slice(0, -1).flat();
    expect(build.some((i) => i.name === 'RUN' && /\bnpm run build\b/.test(i.args))).toBe(true);
    const installs = runtimeArgs('RUN').filter((a) => /\bnpm (ci|install|i)\b/.test(a));
    expect(installs.length).toBeGreaterThan(0);
    for (const install of installs) expect(install).toMatch(/\bnpm ci\b.*--omit=dev\b/);
    // The dependency layer comes before the application's files, so code changes reuse it.
    const firstInstall = runtime.findIndex((i) => i.name === 'RUN' && /\bnpm ci\b/.test(i.args));
    const lockCopy = runtime.findIndex((i) => i.name === 'COPY' && /package-lock\.json/.test(i.args));
    const distCopy = runtime.findIndex((i) => i.name === 'COPY' && /\bdist\b/.test(i.args));
    expect(lockCopy).toBeGreaterThanOrEqual(0);
    expect(lockCopy).toBeLessThan(firstInstall);
    expect(firstInstall).toBeLessThan(distCopy);
    const buildStage = /\bAS\s+(\S+)/i.exec(stages[0]![0]!.args)?.[1];
    expect(runtime[distCopy]!.args).toMatch(new RegExp(`--from=${buildStage}\\b`));
  });

  it('runs as a non-root user', () => {
    const users = runtimeArgs('USER');
    expect(users.length).toBeGreaterThan(0);
    const user = users.at(-1)!.split(':')[0]!;
    expect(['root', '0']).not.toContain(user);
    const uid = /^\d+$/.test(user) ? Number(user) : IMAGE_USER_IDS[user];
    expect(uid).toBeGreaterThan(0);
  });

  it('sets only variables the service reads, a store fit for containers, and the port it exposes', () => {
    for (const name of runtimeEnv.keys()) expect(known).toContain(name);
    expect(STORES_FOR_CONTAINERS).toContain(runtimeEnv.get('LEDGER_STORE'));
    const port = Number(runtimeEnv.get('PORT') ?? DEFAULT_PORT);
    expect(Number.isInteger(port)).toBe(true);
    expect(
      runtimeArgs('EXPOSE')
        .flatMap((a) => a.split(' '))
        .map((p) => Number(p.split('/')[0])),
    ).toEqual([port]);
  });

  it('runs on Node 24 LTS or a later LTS in every stage', () => {
    const images = stages.map((stage) => stage[0]!.args.split(' ')[0]!);
    expect(images.length).toBeGreaterThan(0);
    for (const image of images) {
      const major = Number(/^node:(\d+)/.exec(image)?.[1]);
      expect([image, major >= 24 && major % 2 === 0]).toEqual([image, true]);
    }
  });

  it('sets no path for keys or data, which a container loses with its disk', () => {
    for (const name of WRITTEN_PATHS) expect([name, runtimeEnv.get(name)]).toEqual([name, undefined]);
  });

  it('checks the liveness path, on PORT or the default port', () => {
    const healthchecks = runtimeArgs('HEALTHCHECK');
    expect(healthchecks).toHaveLength(1);
    const command = healthchecks[0]!;
    expect(command).toMatch(/\bCMD\b/);
    expect(command).toContain(`${HEALTH_PATHS.liveness}'`);
    expect(command).toContain('process.env.PORT');
    expect(Number(/process\.env\.PORT\s*\|\|\s*(\d+)/.exec(command)?.[1])).toBe(DEFAULT_PORT);
  });

  it('starts the compiled main and ships what it reads at run time', () => {
    const cmd = JSON.parse(runtimeArgs('CMD').at(-1) ?? 'null') as string[];
    expect(cmd[0]).toBe('node');
    expect(cmd[1]).toMatch(/^dist\/.+\.js$/);
    expect(existsSync(join(ROOT, cmd[1]!.replace(/^dist\//, '').replace(/\.js$/, '.ts')))).toBe(true);
    const copied = runtimeArgs('COPY').map((a) => a.split(' ').filter((w) => !w.startsWith('--')));
    const sources = copied.flatMap((words) => words.slice(0, -1));
    // The project root is found by nest-cli.json; the default policy file is read below it.
    const policyFile = /'(libs\/[^']+\.json)'/.exec(read('apps/ledger/src/config/policy-file.ts'))?.[1];
    expect(policyFile).toBeDefined();
    expect(existsSync(join(ROOT, policyFile!))).toBe(true);
    for (const needed of ['package.json', 'nest-cli.json']) expect(sources).toContain(needed);
    expect(sources.some((s) => policyFile!.startsWith(`${s.replace(/\/$/, '')}/`))).toBe(true);
    expect(sources.some((s) => /^\/app\/dist\/?$|^dist\/?$/.test(s))).toBe(true);
  });

  it('gets from the build context everything it copies: .dockerignore excludes none of it', () => {
    const patterns = dockerignore('.dockerignore');
    for (const heavy of ['node_modules', 'dist', '.git', 'data', '.kafka', 'coverage'])
      expect(ignored(patterns, heavy)).toBe(true);
    const fromContext = instructions
      .filter((i) => i.name === 'COPY' && !/--from=/.test(i.args))
      .flatMap((i) =>
        i.args
          .split(' ')
          .filter((w) => !w.startsWith('--'))
          .slice(0, -1),
      );
    expect(fromContext.length).toBeGreaterThan(0);
    for (const source of fromContext) {
      expect(existsSync(join(ROOT, source))).toBe(true);
      expect([source, ignored(patterns, source)]).toEqual([source, false]);
    }
  });
});

// --- docker-compose ---------------------------------------------------------------------------

const compose = parse(read('deploy/docker-compose.yml')) as { services: Record<string, Yaml> };

/** A service's environment, map or list form, as name → value. */
function composeEnv(service: Yaml): Record<string, string> {
  const env = service.environment ?? {};
  if (Array.isArray(env))
    return Object.fromEntries(env.map((e: string) => [e.split('=')[0], e.split('=').slice(1).join('=')]));
  return Object.fromEntries(Object.entries(env).map(([k, v]) => [k, v === null ? '' : String(v)]));
}

/** Fills `${NAME…}` substitutions, as docker compose would with the variable set. */
const substituted = (env: Record<string, string>, values: Record<string, string>) =>
  Object.fromEntries(
    Object.entries(env).map(([k, v]) => [k, v.replace(/\$\{(\w+)[^}]*\}/g, (_, name: string) => values[name] ?? '')]),
  );

describe('docker-compose', () => {
  const ledger = compose.services.ledger ?? {};
  const env = composeEnv(ledger);
  const port = Number(env.PORT ?? DEFAULT_PORT);

  it('runs PostgreSQL, KurrentDB, Kafka and the ledger, built from deploy/docker/Dockerfile', () => {
    expect(Object.keys(compose.services).sort()).toEqual(['kafka', 'kurrentdb', 'ledger', 'postgres']);
    expect(resolve(DEPLOY, ledger.build.context, ledger.build.dockerfile)).toBe(DOCKERFILE);
  });

  it('sets only variables the ledger reads, enough for it to start', () => {
    for (const name of Object.keys(env)) expect(known).toContain(name);
    for (const name of [
      'LEDGER_STORE',
      'DATABASE_URL',
      'KURRENTDB_URL',
      'KAFKA_BROKERS',
      'LEDGER_TOKENS',
      'LEDGER_MASTER_KEY',
    ]) {
      expect([name, env[name]]).toEqual([name, expect.stringMatching(/\S/)]);
    }
    expect(STORES_FOR_CONTAINERS).toContain(env.LEDGER_STORE);
    const secrets = {
      LEDGER_TOKENS: 'ingest:webcruiter:0123456789abcdef0123456789abcdef',
      LEDGER_MASTER_KEY: Buffer.alloc(32).toString('base64'),
      LEDGER_SIGNING_KEY: Buffer.alloc(32, 1).toString('base64'),
    };
    expect(() => startsWith(substituted(env, secrets))).not.toThrow();
    for (const name of WRITTEN_PATHS) expect([name, env[name]]).toEqual([name, undefined]);
  });

  it('takes the tokens and the master key from the environment, required, never from the file', () => {
    for (const name of ['LEDGER_TOKENS', 'LEDGER_MASTER_KEY'])
      expect(env[name]).toMatch(new RegExp(`^\\$\\{${name}:\\?[^}]*\\}$`));
  });

  it('points the ledger at the stores and the broker of this file', () => {
    const kurrent = new URL(env.KURRENTDB_URL!);
    expect(kurrent.protocol).toBe('kurrentdb:');
    expect(kurrent.hostname).toBe('kurrentdb');
    expect(kurrent.searchParams.get('tls')).toBe('false');
    expect(composeEnv(compose.services.kurrentdb!).KURRENTDB_INSECURE).toBe('true');
    const database = new URL(env.DATABASE_URL!);
    expect(database.hostname).toBe('postgres');
    const postgres = composeEnv(compose.services.postgres!);
    expect([
      decodeURIComponent(database.username),
      decodeURIComponent(database.password),
      database.pathname.slice(1),
    ]).toEqual([postgres.POSTGRES_USER, postgres.POSTGRES_PASSWORD, postgres.POSTGRES_DB]);
    const advertised = composeEnv(compose.services.kafka!)
      .KAFKA_ADVERTISED_LISTENERS!.split(',')
      .map((l) => l.replace(/^\w+:\/\//, ''));
    for (const broker of env.KAFKA_BROKERS!.split(',')) expect(advertised).toContain(broker);
  });

  it('publishes the port the ledger listens on and checks one of its health paths there', () => {
    const targets = (ledger.ports as Array<string | { target: number }>).map((p) =>
      typeof p === 'string' ? Number(p.split(':').pop()!.split('/')[0]) : p.target,
    );
    expect(targets).toEqual([port]);
    const probe = probedUrl((ledger.healthcheck.test as string[]).join(' '));
    expect(probe.port).toBe(port);
    expect(HEALTH).toContain(probe.path);
  });

  it('starts the ledger once the stores and the broker are healthy', () => {
    expect(Object.keys(ledger.depends_on).sort()).toEqual(['kafka', 'kurrentdb', 'postgres']);
    for (const [name, dependency] of Object.entries(ledger.depends_on as Record<string, { condition: string }>)) {
      expect([name, dependency.condition]).toEqual([name, 'service_healthy']);
      expect(compose.services[name]!.healthcheck?.test).toBeDefined();
    }
  });
});

// --- Kubernetes -------------------------------------------------------------------------------

const K8S = join(DEPLOY, 'k8s');
const manifestFiles = readdirSync(K8S).filter((f) => /\.ya?ml$/.test(f) && f !== 'kustomization.yaml');
const manifests = manifestFiles
  .flatMap((file) =>
    parseAllDocuments(readFileSync(join(K8S, file), 'utf8')).map((document) => {
      if (document.errors.length > 0) throw new Error(`${file}: ${document.errors.map((e) => e.message).join('; ')}`);
      return { file, manifest: document.toJS() as Yaml | null };
    }),
  )
  .filter((m): m is { file: string; manifest: Yaml } => m.manifest !== null);
const ofKind = (kind: string) => manifests.filter((m) => m.manifest.kind === kind).map((m) => m.manifest);
const one = (kind: string) => ofKind(kind)[0] ?? {};

/** Every label a selector asks for is on the pods (and it asks for some). */
const selects = (selector: Record<string, string> | undefined, labels: Record<string, string>) =>
  Object.keys(selector ?? {}).length > 0 && Object.entries(selector ?? {}).every(([k, v]) => labels[k] === v);

describe('the Kubernetes manifests', () => {
  const deployment = one('Deployment');
  const pod = deployment.spec?.template ?? {};
  const container = (pod.spec?.containers ?? [])[0] ?? {};
  const configMap = one('ConfigMap');
  const secret = one('Secret');
  const secretValues: Record<string, string> = {
    ...Object.fromEntries(
      Object.entries(secret.data ?? {}).map(([k, v]) => [k, Buffer.from(String(v), 'base64').toString()]),
    ),
    ...(secret.stringData ?? {}),
  };
  const containerEnv = (container.env ?? []) as Array<{ name: string; value?: string; valueFrom?: Yaml }>;
  const podEnv = (): Record<string, string> => ({
    ...configMap.data,
    ...secretValues,
    ...Object.fromEntries(containerEnv.map((e) => [e.name, e.value ?? `from ${JSON.stringify(e.valueFrom)}`])),
  });
  const namedPort = (name: string | number) =>
    (container.ports ?? []).find((p: Yaml) => p.name === name || p.containerPort === name);

  it('have one Deployment, Service, PodDisruptionBudget, ConfigMap and Secret', () => {
    expect(
      ['Deployment', 'Service', 'PodDisruptionBudget', 'ConfigMap', 'Secret'].map((k) => [k, ofKind(k).length]),
    ).toEqual([
      ['Deployment', 1],
      ['Service', 1],
      ['PodDisruptionBudget', 1],
      ['ConfigMap', 1],
      ['Secret', 1],
    ]);
  });

  it('set only variables the service reads, enough for it to start, and no embedded store', () => {
    const names = [
      ...Object.keys(configMap.data ?? {}),
      ...Object.keys(secretValues),
      ...containerEnv.map((e) => e.name),
    ];
    expect(names.length).toBeGreaterThan(0);
    for (const name of names) expect(known).toContain(name);
    expect(STORES_FOR_CONTAINERS).toContain(podEnv().LEDGER_STORE);
    expect(() => startsWith(podEnv())).not.toThrow();
  });

  it('keep the tokens, the master key and the store URLs in the Secret, as placeholders only', () => {
    for (const name of ['LEDGER_TOKENS', 'LEDGER_MASTER_KEY', 'DATABASE_URL', 'KURRENTDB_URL']) {
      expect([name, secretValues[name]]).toEqual([name, expect.stringContaining('REPLACE_ME')]);
      expect(Object.keys(configMap.data ?? {})).not.toContain(name);
      expect(containerEnv.map((e) => e.name)).not.toContain(name);
    }
  });

  it('give the pods the ConfigMap, the Secret and a unique instance id', () => {
    const from = (container.envFrom ?? []) as Array<{ configMapRef?: { name: string }; secretRef?: { name: string } }>;
    expect(from.map((e) => e.configMapRef?.name).filter(Boolean)).toEqual([configMap.metadata.name]);
    expect(from.map((e) => e.secretRef?.name).filter(Boolean)).toEqual([secret.metadata.name]);
    expect(containerEnv.find((e) => e.name === 'LEDGER_INSTANCE_ID')?.valueFrom?.fieldRef?.fieldPath).toBe(
      'metadata.name',
    );
  });

  it('expose the port the service listens on, as a named port', () => {
    const port = Number(podEnv().PORT ?? DEFAULT_PORT);
    expect(container.ports).toHaveLength(1);
    expect(container.ports[0].containerPort).toBe(port);
    expect(container.ports[0].name).toMatch(/^[a-z][a-z0-9-]{0,14}$/);
  });

  it('probe readiness and liveness on the paths the service answers, on its port', () => {
    const port = container.ports?.[0]?.name;
    expect(container.readinessProbe?.httpGet).toEqual({ path: HEALTH_PATHS.readiness, port });
    expect(container.livenessProbe?.httpGet).toEqual({ path: HEALTH_PATHS.liveness, port });
    if (container.startupProbe) expect(container.startupProbe.httpGet).toEqual({ path: HEALTH_PATHS.liveness, port });
  });

  it('run as the image user, not root, on a read-only root file system, with no keys or data on an emptyDir', () => {
    const podSecurity = pod.spec?.securityContext ?? {};
    const security = { ...podSecurity, ...container.securityContext };
    expect(security.runAsNonRoot).toBe(true);
    const imageUser = runtimeArgs('USER').at(-1)!.split(':')[0]!;
    expect(security.runAsUser).toBe(/^\d+$/.test(imageUser) ? Number(imageUser) : IMAGE_USER_IDS[imageUser]);
    expect(security.allowPrivilegeEscalation).toBe(false);
    expect(security.readOnlyRootFilesystem).toBe(true);
    expect(security.capabilities?.drop).toContain('ALL');
    // A key generated onto an emptyDir goes with the pod, and every value sealed under it.
    expect(secretValues.LEDGER_MASTER_KEY).toBeDefined();
    const workdir = runtimeArgs('WORKDIR').at(-1) ?? '/';
    const emptyDirs = new Set((pod.spec?.volumes ?? []).filter((v: Yaml) => v.emptyDir).map((v: Yaml) => v.name));
    const scratch = (container.volumeMounts ?? [])
      .filter((m: Yaml) => emptyDirs.has(m.name))
      .map((m: Yaml) => m.mountPath as string);
    for (const name of WRITTEN_PATHS) {
      const value = podEnv()[name];
      if (value === undefined) continue;
      const path = posix.resolve(workdir, value);
      expect([name, path, scratch.some((mount: string) => !posix.relative(mount, path).startsWith('..'))]).toEqual([
        name,
        path,
        false,
      ]);
    }
  });

  it('ask for resources and give the pods time to stop', () => {
    for (const kind of ['requests', 'limits'])
      for (const resource of ['cpu', 'memory']) expect(container.resources?.[kind]?.[resource]).toBeDefined();
    expect(pod.spec.terminationGracePeriodSeconds).toBeGreaterThan(0);
  });

  it("route the Service and the disruption budget to the Deployment's pods", () => {
    const labels = pod.metadata?.labels ?? {};
    expect(selects(deployment.spec.selector?.matchLabels, labels)).toBe(true);
    const service = one('Service');
    expect(selects(service.spec?.selector, labels)).toBe(true);
    expect(service.spec.ports.length).toBeGreaterThan(0);
    for (const port of service.spec.ports)
      expect([port.targetPort, namedPort(port.targetPort)?.name]).toEqual([
        container.ports[0].name,
        container.ports[0].name,
      ]);
    const pdb = one('PodDisruptionBudget');
    expect(selects(pdb.spec?.selector?.matchLabels, labels)).toBe(true);
    expect(deployment.spec.replicas).toBeGreaterThanOrEqual(2);
    expect(pdb.spec.minAvailable).toBeGreaterThanOrEqual(1);
    expect(pdb.spec.minAvailable).toBeLessThan(deployment.spec.replicas);
  });

  it('list every manifest in the kustomization but the Secret template, which would overwrite the real Secret', () => {
    const kustomization = parse(readFileSync(join(K8S, 'kustomization.yaml'), 'utf8')) as {
      resources: string[];
      images?: Array<{ name: string }>;
    };
    for (const resource of kustomization.resources) expect(statSync(join(K8S, resource)).isFile()).toBe(true);
    const secretFiles = new Set(manifests.filter((m) => m.manifest.kind === 'Secret').map((m) => m.file));
    const expected = manifestFiles.filter((f) => !secretFiles.has(f));
    expect([...kustomization.resources].sort()).toEqual(expected.sort());
    const imageName = String(container.image).replace(/[:@].*$/, '');
    for (const image of kustomization.images ?? []) expect(image.name).toBe(imageName);
  });
});
