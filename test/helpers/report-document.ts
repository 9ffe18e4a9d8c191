/**
 * A plausible, deterministic ReportDocument for tests and benchmarks of the report's drawing (and of
 * anything else that takes a document): a fleet whose risk rises towards each unit's end, TreeSHAP-like
 * contributions that add up with the bias to the margin, sensor trends, health figures.
 */
import {
  defaultReportTemplate,
  type ReportActionRow,
  type ReportContribution,
  type ReportDocument,
  type ReportLanguage,
  type ReportPrevious,
  type ReportTemplate,
  type ReportUnitPanel,
  type RiskBucket,
} from '../../src/shared/report';

export interface SyntheticReportOptions {
  units: number;
  topN: number;
  withRul?: boolean;
  withPrevious?: boolean;
  withDrift?: boolean;
  language?: ReportLanguage;
  seed?: number;
  createdAt?: string;
  /** template fields to override (sections, pageSize, topContributors, trendCharts, logo, …) */
  template?: Partial<ReportTemplate>;
  notes?: string;
}

/** mulberry32: a small seeded generator, so the same seed always gives the same fleet */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SENSORS = ['s2', 's3', 's4', 's7', 's9', 's11', 's12', 's14', 's15', 's17', 's20', 's21'];
const FEATURE_KINDS = ['mean_10', 'slope_20', 'ewm_0.1', 'std_10', 'last'];
const THRESHOLD = 0.5;
const HORIZON = 30;

function hex(r: () => number, n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += Math.floor(r() * 16).toString(16);
  return s;
}

function round(n: number, d: number): number {
  const f = 10 ** d;
  return Math.round(n * f) / f;
}

export function syntheticReportDocument(opts: SyntheticReportOptions): ReportDocument {
  const r = rng(opts.seed ?? 1);
  const withRul = opts.withRul ?? true;
  const language = opts.language ?? 'en';
  const template: ReportTemplate = { ...defaultReportTemplate(), topN: opts.topN, language, ...opts.template };
  const createdAt = opts.createdAt ?? '2026-03-02T09:30:00.000Z';

  // every unit: how far it has run and how close it is to failing (0 = far, 1 = at failure)
  const units = Array.from({ length: opts.units }, (_, i) => {
    const lastCycle = 100 + Math.floor(r() * 260);
    const wear = r() ** 2.2;
    const logit = -4 + 8.5 * wear + (r() - 0.5);
    const probability = round(1 / (1 + Math.exp(-logit)), 6);
    const rul = withRul ? Math.max(0, round((1 - wear) * 110 + (r() - 0.5) * 16, 1)) : undefined;
    return { unit: i + 1, lastCycle, wear, probability, rul };
  });
  units.sort((a, b) => b.probability - a.probability || a.unit - b.unit);

  const bucketOf = (p: number, rul: number | undefined): RiskBucket =>
    p >= THRESHOLD ? 'now' : (rul !== undefined ? rul <= 2 * HORIZON : p >= THRESHOLD / 2) ? 'soon' : 'later';

  const actions: ReportActionRow[] = units.map((u, i) => {
    const rulLow = u.rul === undefined ? undefined : Math.max(0, round(u.rul - 18, 1));
    const rulHigh = u.rul === undefined ? undefined : round(u.rul + 22, 1);
    const alert = u.probability >= THRESHOLD;
    let action: Pick<ReportActionRow, 'actionId' | 'action' | 'priority'>;
    if (u.probability >= 0.9) action = { actionId: 'remove', action: 'Remove from service', priority: 'high' };
    else if (alert && rulLow !== undefined && rulLow <= 5) action = { actionId: 'remove-rul', action: 'Remove from service', priority: 'high' };
    else if (alert)
      action = { actionId: 'inspect', action: `Schedule inspection within ${rulLow === undefined ? HORIZON : Math.floor(rulLow)} cycles`, priority: 'medium' };
    else if (u.probability >= 0.2) action = { actionId: 'watch', action: 'Monitor closely', priority: 'low' };
    else action = { actionId: 'monitor', action: 'Monitor', priority: 'low' };
    return {
      rank: i + 1,
      unit: u.unit,
      probability: u.probability,
      alert,
      lastCycle: u.lastCycle,
      ...(u.rul === undefined ? {} : { rul: u.rul, rulLow, rulHigh }),
      ...action,
      bucket: bucketOf(u.probability, u.rul),
    };
  });

  const panels: ReportUnitPanel[] = actions.slice(0, opts.topN).map((a, i) => {
    const u = units[i]!;
    const cycle = Array.from({ length: a.lastCycle }, (_, c) => c + 1);
    const onset = a.lastCycle * (0.45 + 0.3 * r());
    const endLogit = Math.log(a.probability / (1 - a.probability));
    const probability = cycle.map((c) => {
      const x = c < onset ? -5 : -5 + ((c - onset) / (a.lastCycle - onset)) * (endLogit + 5);
      const noisy = x + (c === a.lastCycle ? 0 : (r() - 0.5) * 0.6);
      return round(c === a.lastCycle ? a.probability : 1 / (1 + Math.exp(-noisy)), 6);
    });
    const contributions: ReportContribution[] = Array.from({ length: template.topContributors }, (_, k) => {
      const sensor = SENSORS[(u.unit * 7 + k * 5) % SENSORS.length]!;
      const kind = FEATURE_KINDS[(u.unit + k) % FEATURE_KINDS.length]!;
      const sign = k % 3 === 2 ? -1 : 1;
      return { feature: `${sensor}_${kind}`, source: sensor, value: round(500 + r() * 100, 4), contribution: round(sign * (1.6 / (k + 1)) * (0.6 + r() * 0.8), 6) };
    }).sort((x, y) => Math.abs(y.contribution) - Math.abs(x.contribution) || x.feature.localeCompare(y.feature));
    const sums = new Map<string, number>();
    for (const c of contributions) sums.set(c.source, (sums.get(c.source) ?? 0) + c.contribution);
    const sources = [...sums].map(([source, contribution]) => ({ source, contribution: round(contribution, 6) })).sort((x, y) => Math.abs(y.contribution) - Math.abs(x.contribution) || x.source.localeCompare(y.source));
    const trends = sources.slice(0, template.trendCharts).map((s) => {
      const level = 500 + r() * 100;
      const slope = (s.contribution >= 0 ? 1 : -1) * (0.5 + r());
      return {
        sensor: s.source,
        cycle,
        values: cycle.map((c) => round(level + (c > onset ? ((c - onset) / 40) ** 2 * slope : 0) + (r() - 0.5) * 0.8, 4)),
      };
    });
    const margin = endLogit;
    const bias = round(margin - contributions.reduce((sum, c) => sum + c.contribution, 0), 6);
    return {
      unit: a.unit,
      rank: a.rank,
      probability: a.probability,
      ...(a.rul === undefined ? {} : { rul: a.rul, rulLow: a.rulLow, rulHigh: a.rulHigh }),
      lastCycle: a.lastCycle,
      action: a.action,
      risk: { cycle, probability },
      bias,
      contributions,
      sources,
      trends,
    };
  });

  const counts = { now: 0, soon: 0, later: 0 };
  for (const a of actions) counts[a.bucket]++;

  let previous: ReportPrevious | null = null;
  if (opts.withPrevious === true) {
    const nowUnits = actions.filter((a) => a.bucket === 'now').map((a) => a.unit);
    previous = {
      reportId: `rep-${hex(r, 8)}`,
      createdAt: '2026-02-02T09:30:00.000Z',
      title: 'Fleet maintenance report',
      counts: { now: Math.max(0, counts.now - 2), soon: counts.soon + 1, later: counts.later + 1 },
      newlyAtRisk: nowUnits.slice(0, Math.min(2, nowUnits.length)).sort((x, y) => x - y),
      noLongerAtRisk: actions.length > 5 ? [actions[actions.length - 1]!.unit] : [],
      risen: actions.slice(0, Math.min(5, actions.length)).map((a) => ({ unit: a.unit, before: round(a.probability * 0.6, 6), after: a.probability })),
      removedUnits: [opts.units + 3],
      addedUnits: actions.length > 0 ? [actions[actions.length - 1]!.unit] : [],
    };
  }

  const metrics = (f2: number) => ({
    f2,
    f1: round(f2 - 0.04, 4),
    precision: round(f2 - 0.12, 4),
    recall: round(f2 + 0.05, 4),
    rocAuc: 0.9712,
    prAuc: 0.8841,
    brier: 0.0412,
    threshold: THRESHOLD,
    n: 4120,
    positives: 620,
    confusion: { tp: 560, fp: 190, tn: 3310, fn: 60 },
  });

  return {
    meta: {
      title: template.title,
      author: 'Reliability engineering',
      subject: `Failure risk of fleet FD-synthetic (${opts.units} units)`,
      keywords: ['Prognos', 'maintenance', 'failure risk', 'FD-synthetic'],
      createdAt,
      appVersion: '0.1.0',
      language,
    },
    template,
    notes: opts.notes ?? 'Synthetic fleet for tests.\n\nThe figures are generated, not measured.',
    fleet: { name: 'FD-synthetic', units: opts.units, rows: units.reduce((s, u) => s + u.lastCycle, 0), fingerprint: hex(r, 64), regimes: 1 },
    model: {
      kind: 'bundle',
      id: `run-${hex(r, 12)}`,
      bundleSha256: hex(r, 64),
      signature: { verdict: 'trusted', text: 'signed by key "plant-7" (ed25519), which this site trusts' },
      models: withRul ? ['gbdt', 'lstm', 'rul'] : ['gbdt', 'lstm'],
      features: 84,
      trainedOn: { fingerprint: hex(r, 64), units: 80 },
      createdAt: '2026-01-15T08:00:00.000Z',
    },
    rule: { threshold: THRESHOLD, horizon: HORIZON, rulCap: withRul ? 125 : null, rulCoverage: withRul ? 0.9 : null },
    summary: { units: opts.units, ...counts, withRul },
    previous,
    actions,
    panels,
    health: {
      metrics: [
        { model: 'gbdt', split: 'validation', values: metrics(0.8612) },
        { model: 'lstm', split: 'validation', values: metrics(0.8405) },
        { model: 'ensemble', split: 'validation', values: metrics(0.8733) },
      ],
      ...(withRul ? { rul: [{ model: 'rul', rmse: 16.42, mae: 12.07, phm08: 412.5, coverage: 0.91, n: 20 }] } : {}),
      calibration: {
        method: 'isotonic',
        ece: 0.0231,
        bins: Array.from({ length: 10 }, (_, b) => ({ predicted: round(b / 10 + 0.05, 4), observed: round(Math.min(1, Math.max(0, b / 10 + 0.05 + (r() - 0.5) * 0.06)), 4), count: 40 + Math.floor(r() * 400) })),
      },
      ...(opts.withDrift === true
        ? { drift: { reportId: `drift-${hex(r, 8)}`, createdAt: '2026-03-01T12:00:00.000Z', datasetDrift: true, driftedShare: 0.25, drifted: ['s9', 's14', 's4'], domainAuc: 0.734, estimatedF2: 0.81 } }
        : {}),
      quality: ['Constant columns dropped: s1, s5, s10, s16, s18, s19.', 'No gaps in cycle numbering.'],
    },
    appendix: {
      files: [
        { role: 'data', name: 'fleet.txt', sha256: hex(r, 64), bytes: 3_515_356 },
        ...(withRul ? [{ role: 'rul' as const, name: 'RUL_fleet.txt', sha256: hex(r, 64), bytes: 429 }] : []),
        { role: 'bundle', name: 'model.prognos', sha256: hex(r, 64), bytes: 1_284_512 },
      ],
      inputs: [
        { label: 'Template', value: `${template.name} (sha256 ${hex(r, 64)})` },
        { label: 'Top N', value: String(template.topN) },
        { label: 'Seed', value: String(opts.seed ?? 1) },
      ],
    },
  };
}
