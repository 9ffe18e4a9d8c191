/**
 * deploy/: the Kubernetes manifests validate against the Kubernetes schemas (kubernetes-models), the
 * Dockerfile keeps the non-root / read-only points, and the Prometheus rules and the Grafana
 * dashboard use exactly the metric names the server's registry exports (and every one of them).
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { Deployment } from 'kubernetes-models/apps/v1';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { ConfigMap, Namespace, PersistentVolumeClaim, Secret, Service } from 'kubernetes-models/v1';
import { createServeMetrics, SERVE_METRIC_NAMES } from '../../../src/main/serve-model/metrics';
import { REPO } from '../../helpers/paths';
import { runPythonJson } from '../../helpers/python';
import { binaryTool, itWith } from '../../helpers/tools';

const PROMTOOL = binaryTool('prometheus', '/usr/bin/promtool');

const DEPLOY = join(REPO, 'deploy');

/** Every document of a YAML file, parsed by Debian's python3-yaml (safe_load_all) as JSON. */
function yamlDocs(file: string): Record<string, unknown>[] {
  const docs = runPythonJson<unknown[]>(
    'import json, sys, yaml\nprint(json.dumps([d for d in yaml.safe_load_all(open(sys.argv[1], encoding="utf-8")) if d is not None]))',
    { args: [file], timeoutMs: 60_000 },
  );
  return docs as Record<string, unknown>[];
}

interface Validatable {
  validate(): void;
}
const KINDS: Record<string, (doc: never) => Validatable> = {
  'apps/v1/Deployment': (d) => new Deployment(d),
  'autoscaling/v2/HorizontalPodAutoscaler': (d) => new HorizontalPodAutoscaler(d),
  'policy/v1/PodDisruptionBudget': (d) => new PodDisruptionBudget(d),
  'v1/Service': (d) => new Service(d),
  'v1/ConfigMap': (d) => new ConfigMap(d),
  'v1/Secret': (d) => new Secret(d),
  'v1/Namespace': (d) => new Namespace(d),
  'v1/PersistentVolumeClaim': (d) => new PersistentVolumeClaim(d),
};

type Obj = Record<string, unknown>;
const at = (o: unknown, ...path: (string | number)[]): unknown =>
  path.reduce<unknown>((x, k) => (x === null || x === undefined ? undefined : (x as Obj)[k as string]), o);

describe('deploy/k8s manifests', () => {
  const files = readdirSync(join(DEPLOY, 'k8s')).filter((f) => f.endsWith('.yaml'));
  const byKind = new Map<string, Obj>();
  beforeAll(() => {
    for (const f of files)
      for (const d of yamlDocs(join(DEPLOY, 'k8s', f)))
        byKind.set(`${String(d.kind)}/${String(at(d, 'metadata', 'name'))}`, d);
  });

  it('every document validates against the Kubernetes schema of its kind', () => {
    expect(files.length).toBeGreaterThanOrEqual(7);
    const kinds = new Set<string>();
    for (const f of files) {
      for (const d of yamlDocs(join(DEPLOY, 'k8s', f))) {
        const key = `${String(d.apiVersion)}/${String(d.kind)}`;
        const make = KINDS[key];
        expect(make, `${f}: no schema for ${key}`).toBeDefined();
        expect(() => make!(d as never).validate(), `${f}: ${key}`).not.toThrow();
        kinds.add(String(d.kind));
      }
    }
    for (const k of [
      'Deployment',
      'Service',
      'HorizontalPodAutoscaler',
      'PodDisruptionBudget',
      'Secret',
      'ConfigMap',
      'PersistentVolumeClaim',
    ])
      expect(kinds).toContain(k);
  });

  it('the validation is not a formality: a broken manifest is refused', () => {
    const d = structuredClone(byKind.get('Deployment/prognos-serve-model')!);
    (at(d, 'spec', 'template', 'spec', 'containers', 0, 'ports', 0) as Obj).containerPort = 'eight thousand';
    expect(() => new Deployment(d as never).validate()).toThrow(/containerPort/);
    const h = structuredClone(byKind.get('HorizontalPodAutoscaler/prognos-serve-model')!);
    delete (h.spec as Obj).maxReplicas;
    expect(() => new HorizontalPodAutoscaler(h as never).validate()).toThrow(/maxReplicas/);
  });

  it('the Deployment runs N non-root replicas on a read-only root with probes, resources and graceful shutdown', () => {
    const d = byKind.get('Deployment/prognos-serve-model')!;
    expect(at(d, 'spec', 'replicas')).toBeGreaterThanOrEqual(2);
    const pod = at(d, 'spec', 'template', 'spec') as Obj;
    expect(at(pod, 'securityContext', 'runAsNonRoot')).toBe(true);
    expect(at(pod, 'securityContext', 'runAsUser')).not.toBe(0);
    expect(pod.automountServiceAccountToken).toBe(false);
    const c = at(pod, 'containers', 0) as Obj;
    expect(at(c, 'securityContext', 'readOnlyRootFilesystem')).toBe(true);
    expect(at(c, 'securityContext', 'allowPrivilegeEscalation')).toBe(false);
    expect(at(c, 'securityContext', 'capabilities', 'drop')).toEqual(['ALL']);
    expect(at(c, 'livenessProbe', 'httpGet', 'path')).toBe('/healthz');
    expect(at(c, 'readinessProbe', 'httpGet', 'path')).toBe('/readyz');
    expect(at(c, 'resources', 'requests', 'cpu')).toBeDefined();
    expect(at(c, 'resources', 'limits', 'memory')).toBeDefined();
    expect(at(c, 'lifecycle', 'preStop')).toBeDefined();
    expect(Number(pod.terminationGracePeriodSeconds)).toBeGreaterThan(5);
    // the bundle read-only; the only writable mounts are volumes (the data dir and a tmpfs)
    const mounts = c.volumeMounts as Obj[];
    expect(mounts.find((m) => m.mountPath === '/bundle')?.readOnly).toBe(true);
    expect(mounts.find((m) => m.mountPath === '/secrets')?.readOnly).toBe(true);
    expect(
      mounts
        .filter((m) => m.readOnly !== true)
        .map((m) => m.mountPath)
        .sort(),
    ).toEqual(['/tmp', '/var/lib/prognos']);
    // backend URLs from a Secret, never written in the manifest
    const env = c.env as Obj[];
    for (const name of ['PROGNOS_REDIS_URL', 'PROGNOS_POSTGRES_URL'])
      expect(
        at(
          env.find((e) => e.name === name),
          'valueFrom',
          'secretKeyRef',
          'name',
        ),
      ).toBe('prognos-backends');
    const args = c.args as string[];
    expect(args.slice(0, 3)).toEqual(['serve-model', '--bundle', '/bundle']);
    expect(args[args.indexOf('--api-keys') + 1]).toBe('/secrets/api-keys');
    expect(args[args.indexOf('--redis') + 1]).toBe('$(PROGNOS_REDIS_URL)');
    // the HPA scales this Deployment, the PDB and the Service select its pods
    const labels = at(d, 'spec', 'template', 'metadata', 'labels') as Obj;
    expect(at(byKind.get('HorizontalPodAutoscaler/prognos-serve-model'), 'spec', 'scaleTargetRef', 'name')).toBe(
      'prognos-serve-model',
    );
    for (const sel of [
      at(byKind.get('Service/prognos-serve-model'), 'spec', 'selector'),
      at(byKind.get('PodDisruptionBudget/prognos-serve-model'), 'spec', 'selector', 'matchLabels'),
    ] as Obj[]) {
      for (const [k, v] of Object.entries(sel)) expect(labels[k]).toBe(v);
    }
  });

  it('the Secrets are templates: no real key or URL', () => {
    const keys = String(at(byKind.get('Secret/prognos-api-keys'), 'stringData', 'api-keys'));
    for (const line of keys.split('\n')) expect(line.trim() === '' || line.trim().startsWith('#')).toBe(true);
    const backends = at(byKind.get('Secret/prognos-backends'), 'stringData') as Obj;
    for (const v of Object.values(backends)) expect(String(v)).toContain('REPLACE');
  });
});

describe('deploy/Dockerfile', () => {
  const text = readFileSync(join(DEPLOY, 'Dockerfile'), 'utf8');
  const lines = text
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
  const stages = lines.reduce<string[][]>(
    (acc, l) => (l.startsWith('FROM ') ? [...acc, [l]] : (acc[acc.length - 1]!.push(l), acc)),
    [],
  );
  const final = stages[stages.length - 1]!;

  it('is multi-stage on node:20-slim, production dependencies without install scripts', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    for (const s of stages) expect(s[0]).toMatch(/^FROM node:20-slim\b/);
    expect(text).toMatch(/npm ci --omit=dev --ignore-scripts/);
    expect(text).toMatch(/onnxruntime[-_]node[-_]install=skip/);
  });

  it('runs as a numeric non-root user, writes only to volumes, and checks /healthz', () => {
    const user = final.filter((l) => l.startsWith('USER '));
    expect(user).toHaveLength(1);
    expect(user[0]).toMatch(/^USER [1-9]\d*(:[1-9]\d*)?$/);
    // nothing runs as root after the switch, and the user owns nothing under /app
    const after = final.slice(final.indexOf(user[0]!));
    expect(after.some((l) => l.startsWith('RUN '))).toBe(false);
    expect(final.filter((l) => l.startsWith('COPY ')).every((l) => l.includes('--chown=root:root'))).toBe(true);
    expect(final.find((l) => l.startsWith('VOLUME '))).toMatch(/"\/var\/lib\/prognos", "\/tmp"/);
    const hc = final.find((l) => l.startsWith('HEALTHCHECK '));
    expect(hc).toMatch(/\/healthz/);
    const cmd = JSON.parse(final.find((l) => l.startsWith('CMD '))!.slice(4)) as string[];
    expect(cmd.slice(0, 3)).toEqual(['serve-model', '--bundle', '/bundle']);
    expect(cmd[cmd.indexOf('--host') + 1]).toBe('0.0.0.0');
    expect(cmd[cmd.indexOf('--api-keys') + 1]).toBe('/secrets/api-keys');
    // the prediction log goes to the volume, not the (read-only) working directory of the image
    expect(cmd[cmd.indexOf('--log') + 1]).toMatch(/^\/var\/lib\/prognos\//);
  });
});

describe('deploy/ metric names', () => {
  let registryNames: Set<string>;
  beforeAll(async () => {
    registryNames = new Set((await createServeMetrics().registry.getMetricsAsJSON()).map((m) => m.name));
  });
  const rules = yamlDocs(join(DEPLOY, 'prometheus', 'rules.yml'))[0]!;
  const dashboard = JSON.parse(readFileSync(join(DEPLOY, 'grafana', 'prognos-dashboard.json'), 'utf8')) as Obj;
  const ruleList = (rules.groups as Obj[]).flatMap((g) => g.rules as Obj[]);
  const panelExprs = (dashboard.panels as Obj[]).flatMap((p) =>
    ((p.targets as Obj[] | undefined) ?? []).map((t) => String(t.expr)),
  );
  const annotationExprs = (at(dashboard, 'annotations', 'list') as Obj[]).map((a) => String(a.expr));
  const variableQueries = (at(dashboard, 'templating', 'list') as Obj[]).map((v) => JSON.stringify(v.query ?? ''));
  const exprs = [...ruleList.map((r) => String(r.expr)), ...panelExprs, ...annotationExprs, ...variableQueries];

  /** prognos_… names in an expression, histogram series mapped to their metric */
  const HISTOGRAMS = ['prognos_http_request_duration_seconds'];
  const namesIn = (e: string): string[] =>
    [...e.matchAll(/\bprognos_[a-z0-9_]+/g)].map((m) => {
      const base = m[0].replace(/_(bucket|sum|count)$/, '');
      return HISTOGRAMS.includes(base) ? base : m[0];
    });

  it('every prognos_ name in rules.yml and the dashboard exists in the registry', () => {
    const used = exprs.flatMap(namesIn);
    expect(used.length).toBeGreaterThan(20);
    const unknown = [...new Set(used)].filter((n) => !registryNames.has(n));
    expect(unknown).toEqual([]);
  });

  it('every metric the server defines is used by a rule or a panel', () => {
    const used = new Set(exprs.flatMap(namesIn));
    expect(SERVE_METRIC_NAMES.filter((n) => !used.has(n))).toEqual([]);
  });

  it('the name check catches a misspelt metric', () => {
    expect(namesIn('rate(prognos_http_request_total[5m])').filter((n) => !registryNames.has(n))).toEqual([
      'prognos_http_request_total',
    ]);
    expect(
      namesIn('histogram_quantile(0.99, rate(prognos_http_request_duration_seconds_bucket[5m]))').filter(
        (n) => !registryNames.has(n),
      ),
    ).toEqual([]);
  });

  it('rules.yml has the alerts the platform team needs, each well formed', () => {
    const names = ruleList.map((r) => r.alert);
    for (const a of [
      'PrognosHighErrorRate',
      'PrognosPredictLatencyP99High',
      'PrognosFeatureDrift',
      'PrognosDatasetDrift',
      'PrognosAlertRateHigh',
      'PrognosPredictionLogBacklog',
      'PrognosNotReady',
    ])
      expect(names).toContain(a);
    for (const r of ruleList) {
      expect(String(r.alert)).toMatch(/^[A-Z][A-Za-z0-9]+$/);
      expect(['critical', 'warning']).toContain(at(r, 'labels', 'severity'));
      expect(String(at(r, 'annotations', 'summary')).length).toBeGreaterThan(10);
      if (r.for !== undefined) expect(r.for).toMatch(/^\d+[smh]$/);
      const e = String(r.expr);
      // balanced brackets, and a comparison that makes it an alert condition
      const stack: string[] = [];
      for (const ch of e.replace(/"[^"]*"/g, '""')) {
        if ('([{'.includes(ch)) stack.push(ch);
        else if (')]}'.includes(ch)) expect(stack.pop()).toBe({ ')': '(', ']': '[', '}': '{' }[ch]);
      }
      expect(stack).toEqual([]);
      expect(e).toMatch(/(>=?|<=?|==)\s*[0-9.e-]+\s*($|\n|and)/);
    }
  });

  itWith(PROMTOOL)('promtool accepts rules.yml (Debian prometheus installed)', () => {
    const r = spawnSync('/usr/bin/promtool', ['check', 'rules', join(DEPLOY, 'prometheus', 'rules.yml')], {
      encoding: 'utf8',
    });
    expect(r.stdout + r.stderr).toMatch(/SUCCESS: 8 rules found/);
    expect(r.status).toBe(0);
  });

  it('the dashboard is a Grafana dashboard with unique panel ids and a query per panel', () => {
    expect(dashboard.uid).toBe('prognos-serve-model');
    const panels = dashboard.panels as Obj[];
    const ids = panels.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const p of panels.filter((x) => x.type !== 'row')) expect((p.targets as Obj[]).length).toBeGreaterThan(0);
  });
});
