import 'reflect-metadata';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { CONFIG_VARIABLES, LedgerConfig } from '../../apps/ledger/src/config/ledger-config';
import { HEALTH_PATHS } from '../../apps/ledger/src/health/health-paths';

/**
 * No Docker engine runs here, so the deployment files are checked against what the service
 * reads: variable names, port, probe paths. They cannot drift from the code unnoticed.
 */
const DEPLOY = join(__dirname, '../../deploy');
const read = (path: string) => readFileSync(join(DEPLOY, path), 'utf8');
const known = new Set<string>([...CONFIG_VARIABLES, 'NODE_ENV']);
const PORT = new LedgerConfig().PORT;

const dockerfile = read('docker/Dockerfile');
const compose = parse(read('docker-compose.yml')) as { services: Record<string, any> };
const manifests = readdirSync(join(DEPLOY, 'k8s'))
  .filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml')
  .flatMap((f) => parseAllDocuments(read(`k8s/${f}`)).map((d) => d.toJS()))
  .filter(Boolean) as Array<Record<string, any>>;
const ofKind = (kind: string) => manifests.filter((m) => m.kind === kind);

describe('the Dockerfile', () => {
  it('builds in stages and runs production dependencies only, as a non-root user, with a health check', () => {
    expect(dockerfile.match(/^FROM /gm)?.length).toBeGreaterThanOrEqual(2);
    expect(dockerfile).toMatch(/npm ci --omit=dev/);
    const user = /^USER (\S+)/m.exec(dockerfile)?.[1];
    expect(user).toBeDefined();
    expect(['root', '0']).not.toContain(user);
    expect(dockerfile).toMatch(/^HEALTHCHECK /m);
  });

  it('exposes the port the service listens on and probes its liveness path', () => {
    expect(Number(/^EXPOSE (\d+)/m.exec(dockerfile)?.[1])).toBe(PORT);
    expect(Number(/PORT=(\d+)/.exec(dockerfile)?.[1])).toBe(PORT);
    const healthcheck = /^HEALTHCHECK (?:.*\\\n)*.*$/m.exec(dockerfile)?.[0] ?? '';
    expect(healthcheck).toContain(HEALTH_PATHS.liveness);
    for (const [, name] of dockerfile.matchAll(/^\s*(?:ENV\s+)?([A-Z_]+)=/gm)) expect(known).toContain(name);
  });
});

describe('docker-compose', () => {
  const ledger = compose.services.ledger;

  it('runs PostgreSQL, KurrentDB, Kafka and the ledger', () => {
    expect(Object.keys(compose.services).sort()).toEqual(['kafka', 'kurrentdb', 'ledger', 'postgres']);
  });

  it('wires the ledger by the variables it reads, and nothing else', () => {
    const env = ledger.environment as Record<string, string>;
    for (const name of Object.keys(env)) expect(known).toContain(name);
    for (const name of ['LEDGER_STORE', 'DATABASE_URL', 'KURRENTDB_URL', 'KAFKA_BROKERS', 'LEDGER_TOKENS', 'LEDGER_MASTER_KEY']) {
      expect(env[name]).toBeTruthy();
    }
    expect(['embedded', 'postgres', 'kurrentdb']).toContain(env.LEDGER_STORE);
    expect(env.KAFKA_BROKERS).toMatch(/^kafka:\d+$/);
    expect(env.KURRENTDB_URL).toMatch(/^kurrentdb:\/\/kurrentdb:/);
    expect(env.DATABASE_URL).toMatch(/@postgres:5432\//);
  });

  it('publishes the service port and checks its readiness path', () => {
    const env = ledger.environment as Record<string, string>;
    expect(Number(env.PORT ?? PORT)).toBe(PORT);
    expect(ledger.ports.map((p: string) => Number(String(p).split(':').pop()))).toContain(PORT);
    expect(JSON.stringify(ledger.healthcheck.test)).toContain(`:${PORT}${HEALTH_PATHS.readiness}`);
    expect(Object.keys(ledger.depends_on).sort()).toEqual(['kafka', 'kurrentdb', 'postgres']);
  });
});

describe('the Kubernetes manifests', () => {
  const deployment = ofKind('Deployment')[0]!;
  const container = deployment.spec.template.spec.containers[0];
  const configMap = ofKind('ConfigMap')[0]!;
  const secret = ofKind('Secret')[0]!;

  it('have a Deployment, a Service, a PodDisruptionBudget, a ConfigMap and a Secret', () => {
    expect(['Deployment', 'Service', 'PodDisruptionBudget', 'ConfigMap', 'Secret'].map((k) => ofKind(k).length)).toEqual([1, 1, 1, 1, 1]);
  });

  it('set only variables the service reads; tokens and the master key from the Secret', () => {
    const names = [...Object.keys(configMap.data), ...Object.keys(secret.stringData), ...container.env.map((e: { name: string }) => e.name)];
    for (const name of names) expect(known).toContain(name);
    expect(Object.keys(secret.stringData)).toEqual(expect.arrayContaining(['LEDGER_TOKENS', 'LEDGER_MASTER_KEY']));
    expect(Object.keys(configMap.data)).not.toContain('LEDGER_MASTER_KEY');
    expect(container.envFrom.map((e: Record<string, { name: string }>) => Object.keys(e)[0])).toEqual(['configMapRef', 'secretRef']);
    expect(container.env.find((e: { name: string }) => e.name === 'LEDGER_INSTANCE_ID').valueFrom.fieldRef.fieldPath).toBe('metadata.name');
  });

  it('probe readiness and liveness on the paths the service answers, on its port', () => {
    const port = container.ports.find((p: { name: string }) => p.name === 'http');
    expect(port.containerPort).toBe(PORT);
    expect(Number(configMap.data.PORT)).toBe(PORT);
    expect(container.readinessProbe.httpGet).toEqual({ path: HEALTH_PATHS.readiness, port: 'http' });
    expect(container.livenessProbe.httpGet).toEqual({ path: HEALTH_PATHS.liveness, port: 'http' });
    expect(container.resources.requests.cpu).toBeDefined();
    expect(container.resources.limits.memory).toBeDefined();
    expect(deployment.spec.template.spec.securityContext.runAsNonRoot).toBe(true);
  });

  it('route the Service and the disruption budget to the Deployment\'s pods', () => {
    const labels = deployment.spec.template.metadata.labels;
    const service = ofKind('Service')[0]!;
    const pdb = ofKind('PodDisruptionBudget')[0]!;
    expect(service.spec.selector).toEqual(labels);
    expect(service.spec.ports[0].targetPort).toBe('http');
    expect(pdb.spec.selector.matchLabels).toEqual(labels);
    expect(pdb.spec.minAvailable).toBeLessThan(deployment.spec.replicas);
  });

  it('list every manifest in the kustomization', () => {
    const kustomization = parse(read('k8s/kustomization.yaml')) as { resources: string[] };
    const files = readdirSync(join(DEPLOY, 'k8s')).filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml');
    expect([...kustomization.resources].sort()).toEqual(files.sort());
  });
});
