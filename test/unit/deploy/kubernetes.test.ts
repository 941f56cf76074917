/**
 * deploy/kubernetes: every overlay renders with `kubectl kustomize`, every object passes its schema,
 * and the manifests agree with the code (flags, env names, listen ports, served routes) and with
 * docs/gating.md (the report's Service, the token's Secret). No cluster: all of it offline.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commandSpec, flagOf } from '../../../libs/config/commands.js';
import { loadConfig, type ShadowDiffConfig } from '../../../libs/config/load-config.js';
import { COMMAND_NAMES, OPTIONS, type CommandName } from '../../../libs/config/options.js';
import { openStore, type Store } from '../../../libs/store/index.js';
import { buildComparatorAdminApp } from '../../../services/comparator/comparator-admin-app.js';
import { ComparatorMetrics } from '../../../services/comparator/comparator-metrics.js';
import { buildAdminApp } from '../../../services/ingress/admin-app.js';
import { IngressMetrics } from '../../../services/ingress/ingress-metrics.js';
import { buildReportApp } from '../../../services/report-api/report-app.js';
import { tempDb } from '../../support/temp.js';
import { OVERLAYS, named, ofKind, parseObjects, render, selects, validateObject, type K8sObject } from './manifests.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Any = any;
const root = (path: string) => new URL(`../../../${path}`, import.meta.url);
const PACKAGE = JSON.parse(readFileSync(root('package.json'), 'utf8')) as { bin: Record<string, string> };
const GATING = readFileSync(root('docs/gating.md'), 'utf8');

const KNOWN_ENV = new Set([...OPTIONS.flatMap((o) => [...o.env]), 'SHADOW_DIFF_CONFIG']);
/** Values standing in for the Secrets an operator creates (docs/kubernetes.md). */
const TOKEN = 'k8s-test-token-0123456789abcdef';
const SECRET_VALUES: Record<string, string> = {
  'shadow-diff/report-token': TOKEN,
  'shadow-diff-redis/url': 'redis://redis.shadow-diff.svc:6379',
  'shadow-diff-postgres/url': 'postgres://shadow_diff@postgres.shadow-diff.svc:5432/shadow_diff',
};
/** Which setting each named container port serves, per command. */
const PORT_SETTINGS: Partial<Record<CommandName, Record<string, 'listen' | 'reportListen' | 'adminListen'>>> = {
  start: { http: 'listen', report: 'reportListen', admin: 'adminListen' },
  ingress: { http: 'listen', admin: 'adminListen' },
  'report-api': { report: 'reportListen' },
  comparator: { admin: 'adminListen' },
};

const rendered = new Map<string, K8sObject[]>();
const objects = (overlay: string) => rendered.get(overlay) as K8sObject[];
const deployments = (list: K8sObject[]) => ofKind(list, 'Deployment');
const containersOf = (d: K8sObject): Any[] => d.spec.template.spec.containers;
const isShadowDiff = (c: Any) => Array.isArray(c.command) && c.command.join(' ') === `node /app/${PACKAGE.bin['shadow-diff']}`;
const commandOf = (c: Any) => c.args[0] as CommandName;

interface Container {
  deployment: K8sObject;
  container: Any;
  command: CommandName;
}
const shadowDiffContainers = (list: K8sObject[]): Container[] =>
  deployments(list).flatMap((deployment) => containersOf(deployment).filter(isShadowDiff).map((container) => ({ deployment, container, command: commandOf(container) })));

function envValue(entry: Any): string {
  if (typeof entry.value === 'string') return entry.value;
  const ref = entry.valueFrom?.secretKeyRef;
  const value = ref ? SECRET_VALUES[`${ref.name}/${ref.key}`] : undefined;
  if (value === undefined) throw new Error(`${entry.name}: only literal values and the documented Secrets, got ${JSON.stringify(entry.valueFrom)}`);
  return value;
}

/** The --config file a container reads, written out of the ConfigMap its volume mounts. */
function configFileOf(list: K8sObject[], { deployment, container }: Container): string | undefined {
  const index = container.args.indexOf('--config');
  if (index === -1) return undefined;
  const path = container.args[index + 1] as string;
  const mount = container.volumeMounts.find((m: Any) => m.mountPath === dirname(path));
  const volume = deployment.spec.template.spec.volumes.find((v: Any) => v.name === mount?.name);
  const configMap = named(list, 'ConfigMap', volume?.configMap?.name, deployment.metadata.namespace);
  const text = configMap.data?.[path.slice(dirname(path).length + 1)];
  if (text === undefined) throw new Error(`${deployment.metadata.name}: ${path} is not in ConfigMap ${configMap.metadata.name}`);
  const file = join(mkdtempSync(join(tmpdir(), 'shadow-diff-k8s-')), 'shadow-diff.yaml');
  writeFileSync(file, text);
  return file;
}

/** The configuration the process would start with: the real loader, so a refusal fails here. */
function configOf(list: K8sObject[], c: Container): ShadowDiffConfig {
  const spec = commandSpec(c.command);
  const flags: Record<string, string> = {};
  const args = c.container.args.slice(1) as string[];
  for (let i = 0; i < args.length; i += 2) {
    if (args[i] === '--config') continue;
    const key = spec.options.find((k) => flagOf(spec, k) === args[i]);
    if (!key) throw new Error(`${c.command} takes no flag ${args[i]}`);
    flags[key] = args[i + 1] as string;
  }
  const env: Record<string, string> = {};
  for (const entry of c.container.env ?? []) env[entry.name] = envValue(entry);
  return loadConfig({ command: c.command, flags, env, configFile: configFileOf(list, c) });
}

let store: Store;
let report: FastifyInstance;
let admin: FastifyInstance;
let comparatorAdmin: FastifyInstance;
/** The app a command serves on each kind of port, to ask the probes' and scrapes' paths for real. */
function appFor(command: CommandName, setting: string): FastifyInstance | undefined {
  if (setting === 'reportListen') return report;
  if (setting === 'adminListen') return command === 'comparator' ? comparatorAdmin : admin;
  return undefined;
}

beforeAll(async () => {
  for (const overlay of ['base', ...OVERLAYS.map((o) => `overlays/${o}`)]) rendered.set(overlay.replace('overlays/', ''), parseObjects(render(overlay)));
  store = await openStore(tempDb());
  report = await buildReportApp({ store, defaultRun: 'live', token: TOKEN });
  admin = buildAdminApp({ metrics: new IngressMetrics({ shadowInFlight: () => 0, queueAvailable: () => true }), isQueueAvailable: () => true });
  comparatorAdmin = buildComparatorAdminApp({
    metrics: new ComparatorMetrics({ defaultMetrics: false }),
    health: { consumerRunning: () => true, pingStore: () => store.ping(), pingQueue: async () => true },
  });
});

afterAll(async () => {
  await report?.close();
  await admin?.close();
  await comparatorAdmin?.close();
  await store?.close();
});

describe.each(['base', ...OVERLAYS])('deploy/kubernetes %s', (overlay) => {
  it('renders objects that each pass their schema', () => {
    const list = objects(overlay);
    expect(list.length).toBeGreaterThan(3);
    for (const object of list) validateObject(object);
  });

  it('runs every pod non-root, read-only, without privileges, with /tmp writable and resources set', () => {
    for (const d of deployments(objects(overlay))) {
      const pod = d.spec.template.spec;
      expect(pod.securityContext, d.metadata.name).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
      expect(pod.securityContext.runAsUser).toBeGreaterThan(0);
      expect(pod.automountServiceAccountToken).toBe(false);
      for (const c of containersOf(d)) {
        expect(c.securityContext, c.name).toEqual({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
        const tmp = c.volumeMounts.find((m: Any) => m.mountPath === '/tmp');
        expect(pod.volumes.find((v: Any) => v.name === tmp?.name)?.emptyDir, `${c.name} /tmp`).toBeDefined();
        expect(c.resources.requests.cpu && c.resources.requests.memory && c.resources.limits.memory, c.name).toBeTruthy();
      }
    }
  });

  it('gives shadow-diff only commands, flags and environment names it has', () => {
    const containers = shadowDiffContainers(objects(overlay));
    expect(containers.length).toBeGreaterThan(0);
    for (const { container, command } of containers) {
      expect(COMMAND_NAMES).toContain(command);
      const spec = commandSpec(command);
      const flags = new Set([...spec.options.map((k) => flagOf(spec, k)), '--config']);
      for (const arg of container.args.slice(1).filter((a: string) => a.startsWith('--'))) expect(flags, `${command} ${arg}`).toContain(arg);
      for (const { name } of container.env ?? []) expect(KNOWN_ENV, `${command} env ${name}`).toContain(name);
    }
  });

  it('starts every process with a configuration the loader accepts, listening where the ports say', () => {
    const list = objects(overlay);
    for (const c of shadowDiffContainers(list)) {
      if (overlay === 'base' && (c.command === 'ingress' || c.command === 'comparator')) continue; // the base names no queue: an overlay does
      const config = configOf(list, c);
      const ports = new Map<string, number>((c.container.ports ?? []).map((p: Any) => [p.name, p.containerPort]));
      const settings = PORT_SETTINGS[c.command] ?? {};
      expect([...ports.keys()].sort(), c.command).toEqual(Object.keys(settings).sort());
      for (const [name, setting] of Object.entries(settings)) {
        const address = config[setting] as { host: string; port: number } | undefined;
        expect(address, `${c.command} ${setting}`).toMatchObject({ host: '0.0.0.0', port: ports.get(name) });
      }
    }
  });

  it('probes readiness and liveness on routes the processes serve, never on the proxied port', async () => {
    const containers = shadowDiffContainers(objects(overlay));
    for (const c of containers) {
      const settings = PORT_SETTINGS[c.command] ?? {};
      for (const probe of [c.container.readinessProbe, c.container.livenessProbe]) {
        expect(probe?.httpGet, `${c.command} has both probes, over HTTP`).toBeDefined();
        const setting = settings[probe.httpGet.port] ?? '';
        expect(setting, `${c.command} probe on port ${probe.httpGet.port}`).not.toBe('listen');
        const app = appFor(c.command, setting);
        expect(app, `${c.command} probe on port ${probe.httpGet.port}`).toBeDefined();
        const answer = await (app as FastifyInstance).inject({ method: 'GET', url: probe.httpGet.path });
        expect(answer.statusCode, `${c.command} GET ${probe.httpGet.path}`).toBe(200);
      }
    }
    if (overlay !== 'embedded') {
      const comparator = containers.find((c) => c.command === 'comparator');
      expect([comparator?.container.readinessProbe.httpGet, comparator?.container.livenessProbe.httpGet]).toEqual([
        { path: '/healthz', port: 'admin' },
        { path: '/livez', port: 'admin' },
      ]);
    }
  });

  it('has every Service select pods that have its target ports', () => {
    const list = objects(overlay);
    for (const service of ofKind(list, 'Service')) {
      const pods = deployments(list).filter((d) => d.metadata.namespace === service.metadata.namespace && selects(service.spec.selector, d.spec.template.metadata.labels));
      if (service.metadata.namespace === 'bookinfo' && !service.metadata.name.startsWith('shadow-diff')) continue; // the application's own pods
      expect(pods.length, `Service ${service.metadata.name} selects no pod`).toBeGreaterThan(0);
      for (const port of service.spec.ports) {
        for (const pod of pods) expect(pod.spec.template.spec.containers.flatMap((c: Any) => (c.ports ?? []).map((p: Any) => p.name))).toContain(port.targetPort);
      }
    }
  });
});

describe.each(OVERLAYS)('deploy/kubernetes %s and docs/gating.md', (overlay) => {
  it("serves the report at the gate's address, with the token from the documented Secret", () => {
    const list = objects(overlay);
    const urls = [...GATING.matchAll(/http:\/\/([a-z0-9-]+)\.([a-z0-9-]+)\.svc:(\d+)\//g)];
    expect(urls.length).toBeGreaterThan(1);
    const refs = [...GATING.matchAll(/secretKeyRef: \{ name: ([a-z0-9-]+), key: ([a-z0-9-]+) \}/g)];
    expect(refs.length).toBe(1);
    for (const [, name, namespace, port] of urls) {
      const service = named(list, 'Service', name as string, namespace);
      const servicePort = service.spec.ports.find((p: Any) => p.port === Number(port));
      expect(servicePort, `${name}.${namespace}.svc:${port}`).toBeDefined();
      const reports = shadowDiffContainers(list).filter((c) => selects(service.spec.selector, c.deployment.spec.template.metadata.labels));
      expect(reports.length).toBe(1);
      for (const c of reports) {
        const config = configOf(list, c);
        const target = c.container.ports.find((p: Any) => p.name === servicePort.targetPort);
        expect(config.reportListen.port).toBe(target.containerPort);
        const token = c.container.env.find((e: Any) => e.name === 'SHADOW_DIFF_REPORT_TOKEN');
        expect(token.valueFrom.secretKeyRef).toEqual({ name: refs[0]?.[1], key: refs[0]?.[2] });
      }
    }
  });
});

describe('deploy/kubernetes embedded', () => {
  it('runs one `start` process, replaced with Recreate, its SQLite file on a claimed volume', () => {
    const list = objects('embedded');
    const [only, ...others] = shadowDiffContainers(list);
    expect(others).toEqual([]);
    expect(only?.command).toBe('start');
    const deployment = only?.deployment as K8sObject;
    expect(deployment.spec.replicas).toBe(1);
    expect(deployment.spec.strategy).toEqual({ type: 'Recreate' });
    const db = configOf(list, only as Container).db;
    const mount = only?.container.volumeMounts.find((m: Any) => db.startsWith(`${m.mountPath}/`));
    const volume = deployment.spec.template.spec.volumes.find((v: Any) => v.name === mount?.name);
    named(list, 'PersistentVolumeClaim', volume.persistentVolumeClaim.claimName, 'shadow-diff');
    expect(deployment.spec.template.spec.securityContext.fsGroup).toBe(deployment.spec.template.spec.securityContext.runAsGroup);
    expect(ofKind(list, 'PodDisruptionBudget')).toEqual([]);
  });
});

describe.each(['distributed', 'istio-inline', 'istio-mirror'])('deploy/kubernetes %s (distributed)', (overlay) => {
  it('puts ingress and comparators on Redis and the store on PostgreSQL, from Secrets', () => {
    const list = objects(overlay);
    for (const c of shadowDiffContainers(list)) {
      const config = configOf(list, c);
      expect(config.redis, c.command).toBe(SECRET_VALUES['shadow-diff-redis/url']);
      if (c.command !== 'ingress') expect(config.db, c.command).toBe(SECRET_VALUES['shadow-diff-postgres/url']);
    }
    const comparator = named(list, 'Deployment', 'shadow-diff-comparator', 'shadow-diff');
    expect(comparator.spec.replicas, 'the autoscaler owns the count').toBeUndefined();
    const hpa = named(list, 'HorizontalPodAutoscaler', 'shadow-diff-comparator', 'shadow-diff');
    expect(hpa.spec.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'shadow-diff-comparator' });
    expect(hpa.spec.minReplicas).toBeGreaterThan(1);
    for (const name of ['shadow-diff-ingress', 'shadow-diff-comparator', 'shadow-diff-report']) {
      const budget = named(list, 'PodDisruptionBudget', name);
      const target = named(list, 'Deployment', name, budget.metadata.namespace);
      expect(selects(budget.spec.selector.matchLabels, target.spec.template.metadata.labels)).toBe(true);
    }
  });

  it('has ServiceMonitors scrape /metrics where it is served, the report with its token', async () => {
    const list = objects(overlay);
    const monitors = ofKind(list, 'ServiceMonitor');
    expect(monitors.map((m) => m.metadata.name).sort()).toEqual(['shadow-diff-ingress', 'shadow-diff-report']);
    for (const monitor of monitors) {
      const services = ofKind(list, 'Service').filter(
        (s) => monitor.spec.namespaceSelector.matchNames.includes(s.metadata.namespace) && selects(monitor.spec.selector.matchLabels, s.metadata.labels),
      );
      expect(services.length, monitor.metadata.name).toBeGreaterThan(0);
      for (const endpoint of monitor.spec.endpoints) {
        for (const service of services) {
          const port = service.spec.ports.find((p: Any) => p.name === endpoint.port);
          expect(port, `${monitor.metadata.name} port ${endpoint.port} on ${service.metadata.name}`).toBeDefined();
          const pod = shadowDiffContainers(list).find((c) => selects(service.spec.selector, c.deployment.spec.template.metadata.labels)) as Container;
          const app = appFor(pod.command, PORT_SETTINGS[pod.command]?.[port.targetPort] ?? '') as FastifyInstance;
          const credentials = endpoint.authorization?.credentials;
          const headers = credentials ? { authorization: `Bearer ${SECRET_VALUES[`${credentials.name}/${credentials.key}`]}` } : {};
          expect((await app.inject({ method: 'GET', url: endpoint.path, headers })).statusCode, `${monitor.metadata.name} ${endpoint.path}`).toBe(200);
        }
      }
    }
  });

  it("has a PodMonitor scrape the comparators' /metrics on their admin port", async () => {
    const list = objects(overlay);
    const [monitor, ...others] = ofKind(list, 'PodMonitor');
    expect(others).toEqual([]);
    const pods = shadowDiffContainers(list).filter(
      (c) => monitor?.spec.namespaceSelector.matchNames.includes(c.deployment.metadata.namespace) && selects(monitor.spec.selector.matchLabels, c.deployment.spec.template.metadata.labels),
    );
    expect(pods.map((c) => c.command)).toEqual(['comparator']);
    expect(monitor?.spec.podMetricsEndpoints).toHaveLength(1);
    for (const endpoint of monitor?.spec.podMetricsEndpoints ?? []) {
      for (const pod of pods) {
        const setting = PORT_SETTINGS[pod.command]?.[endpoint.port] ?? '';
        const answer = await (appFor(pod.command, setting) as FastifyInstance).inject({ method: 'GET', url: endpoint.path });
        expect(answer.statusCode, `${endpoint.port} ${endpoint.path}`).toBe(200);
        expect(answer.body).toContain('# TYPE shadowdiff_comparator_jobs_total counter');
      }
    }
  });
});

/** The VirtualService for `reviews` and the ingress pods it must exempt. */
function mesh(overlay: string) {
  const list = objects(overlay);
  const vs = named(list, 'VirtualService', 'reviews', 'bookinfo');
  const ingress = named(list, 'Deployment', 'shadow-diff-ingress', 'bookinfo');
  const subsets = new Set<string>(named(list, 'DestinationRule', 'reviews', 'bookinfo').spec.subsets.map((s: Any) => s.name));
  const [own, ...rest] = vs.spec.http as Any[];
  return { list, vs, ingress, subsets, own, rest };
}

/** The Service a mesh destination host names, checked to select the ingress pods on that port. */
function ingressService(list: K8sObject[], ingress: K8sObject, destination: Any): K8sObject {
  const [name, namespace] = (destination.host as string).split('.');
  const service = named(list, 'Service', name as string, namespace);
  expect(selects(service.spec.selector, ingress.spec.template.metadata.labels)).toBe(true);
  const port = service.spec.ports.find((p: Any) => p.port === destination.port.number);
  expect(ingress.spec.template.spec.containers[0].ports.map((p: Any) => p.name)).toContain(port.targetPort);
  return service;
}

describe.each(['istio-inline', 'istio-mirror'])('deploy/kubernetes %s (mesh routes)', (overlay) => {
  it("sends the ingress's own calls to v1 first, by its pods' labels, in the mesh", () => {
    const { ingress, subsets, own, vs } = mesh(overlay);
    expect(subsets).toEqual(new Set(['v1', 'v2']));
    expect(own.match).toHaveLength(1);
    expect(selects(own.match[0].sourceLabels, ingress.spec.template.metadata.labels)).toBe(true);
    expect(own.route).toEqual([{ destination: { host: 'reviews', subset: 'v1' } }]);
    expect(own.mirror).toBeUndefined();
    expect(ingress.spec.template.metadata.labels['sidecar.istio.io/inject']).toBe('true');
    for (const route of vs.spec.http) for (const r of route.route) if (r.destination.subset) expect(subsets).toContain(r.destination.subset);
  });

  it('names the candidate by the Host the shadow calls carry (reviews-shadow: v2)', () => {
    const { list, ingress } = mesh(overlay);
    const c = shadowDiffContainers(list).find((x) => x.deployment === ingress) as Container;
    const config = configOf(list, c);
    const shadowHost = new URL(config.shadow as string).hostname;
    expect(shadowHost).toBe(`${new URL(config.primary as string).hostname}${config.shadowHostSuffix}`);
    expect(named(list, 'Service', shadowHost, 'bookinfo').spec.selector).toEqual({ app: 'reviews', version: 'v2' });
  });
});

describe('deploy/kubernetes istio-inline', () => {
  it('routes every other call to reviews through the inline ingress', () => {
    const { list, ingress, rest } = mesh('istio-inline');
    expect(rest).toHaveLength(1);
    expect(rest[0].match).toBeUndefined();
    expect(rest[0].route).toHaveLength(1);
    ingressService(list, ingress, rest[0].route[0].destination);
    const env = containersOf(ingress)[0].env.map((e: Any) => e.name);
    expect(env).not.toContain('SHADOW_DIFF_MODE');
  });
});

describe('deploy/kubernetes istio-mirror', () => {
  it('keeps 100 % on v1 and mirrors a share to the mirror-target ingress', () => {
    const { list, ingress, rest } = mesh('istio-mirror');
    expect(rest).toHaveLength(1);
    const [main] = rest;
    expect(main.route).toEqual([{ destination: { host: 'reviews', subset: 'v1' }, weight: 100 }]);
    expect(main.mirrorPercentage.value).toBeGreaterThan(0);
    expect(main.mirrorPercentage.value).toBeLessThanOrEqual(100);
    expect(ingressService(list, ingress, main.mirror).metadata.name).toBe('shadow-diff-mirror');
    const env = Object.fromEntries(containersOf(ingress)[0].env.map((e: Any) => [e.name, e.value]));
    expect(env).toMatchObject({ SHADOW_DIFF_MODE: 'mirror-target', SHADOW_DIFF_STRIP_HOST_SUFFIX: '-shadow' });
  });
});

describe('docs/kubernetes.md and the manifests', () => {
  const doc = readFileSync(root('docs/kubernetes.md'), 'utf8');

  it('tells how to create every Secret the manifests read, in its namespace', () => {
    const created = new Set([...doc.matchAll(/kubectl -n ([a-z0-9-]+) create secret generic ([a-z0-9-]+)/g)].map(([, ns, name]) => `${ns}/${name}`));
    for (const overlay of OVERLAYS) {
      for (const d of deployments(objects(overlay))) {
        for (const c of containersOf(d)) {
          for (const entry of c.env ?? []) {
            const ref = entry.valueFrom?.secretKeyRef;
            if (ref) expect(created, `${overlay}: ${d.metadata.namespace}/${ref.name}`).toContain(`${d.metadata.namespace}/${ref.name}`);
          }
        }
      }
    }
  });

  it('applies each overlay the tests render, and no other', () => {
    const applied = [...doc.matchAll(/kubectl apply -k deploy\/kubernetes\/overlays\/([a-z-]+)/g)].map((m) => m[1]);
    expect(new Set(applied)).toEqual(new Set(OVERLAYS));
  });
});
