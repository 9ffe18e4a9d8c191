/**
 * Assembles the ReportDocument from what the report worker computed: every unit scored at its last
 * cycle, the panels' series, contributions and trends, the model's identity and health, the previous
 * report's digest. Pure: no I/O, no clock, no randomness; nothing here depends on where the store or
 * the files live, so the CLI, browser mode and the app assemble the same document from the same inputs.
 */
import type { SensorCatalogue } from '../../../shared/sensor-catalogue';
import type { ReportActionRow, ReportDocument, ReportFile, ReportHealth, ReportTemplate, ReportUnitPanel } from '../../../shared/report';
import { rankUnits, resolveAction, riskBucket, type ScoredUnitInput } from './actions';
import { compareWithPrevious, type UnitDigest } from './previous';

/** What a unit's panel shows beyond its row of the action table (computed by the worker for the panel units only). */
export type PanelExtras = Pick<ReportUnitPanel, 'risk' | 'bias' | 'contributions' | 'sources' | 'trends'>;

export interface AssembleInput {
  readonly template: ReportTemplate;
  readonly templateSha256: string;
  /** overrides the template's title */
  readonly title?: string;
  readonly notes?: string;
  readonly createdAt: string;
  readonly appVersion: string;
  readonly fleet: ReportDocument['fleet'] & {
    /** the data file's and RUL file's names as given (no folder) */
    readonly dataFile: string;
    readonly rulFile: string | null;
  };
  readonly model: ReportDocument['model'];
  readonly rule: ReportDocument['rule'];
  /** every unit at its last cycle, in any order */
  readonly units: readonly ScoredUnitInput[];
  /** per panel unit (see `panelUnits`) */
  readonly panels: ReadonlyMap<number, PanelExtras>;
  readonly previous: Readonly<{ record: { reportId: string; createdAt: string; title: string }; units: readonly UnitDigest[] }> | null;
  readonly health: ReportHealth;
  /** files with their SHA-256 and size (a bundle's manifest) */
  readonly files: readonly ReportFile[];
  /** the fleet's sensor catalogue (labels only) */
  readonly sensors?: SensorCatalogue;
}

/** How the units are ranked, in words (the appendix's definition). */
export const RANKING_DEFINITION = 'probability at the last cycle, highest first; ties by unit id, lowest first';
export const BUCKET_DEFINITION =
  'now: the model alerts (probability ≥ threshold: failure expected within W cycles); soon: no alert yet, but the predicted RUL ≤ 2W (with a RUL model) or probability ≥ threshold / 2 (without); later: the rest';
export const PANEL_DEFINITION = 'one panel for each of the first top-N units of the ranking that are at risk now or soon';

/** The action table: every unit ranked, with its bucket and the action of the first rule that holds. */
export function actionRows(units: readonly ScoredUnitInput[], template: ReportTemplate, rule: ReportDocument['rule']): ReportActionRow[] {
  const decision = { threshold: rule.threshold, horizon: rule.horizon };
  return rankUnits(units).map((u, k) => {
    const a = resolveAction(template.actions, u, decision);
    return {
      rank: k + 1,
      unit: u.unit,
      probability: u.probability,
      alert: u.alert,
      lastCycle: u.lastCycle,
      ...(u.rul === undefined ? {} : { rul: u.rul }),
      ...(u.rulLow === undefined ? {} : { rulLow: u.rulLow }),
      ...(u.rulHigh === undefined ? {} : { rulHigh: u.rulHigh }),
      ...(u.trueRul === undefined ? {} : { trueRul: u.trueRul }),
      actionId: a.actionId,
      action: a.action,
      priority: a.priority,
      bucket: riskBucket(u, decision),
    };
  });
}

/** The units that get a panel: the first `topN` ranked rows at risk now or soon, in rank order. */
export function panelUnits(rows: readonly ReportActionRow[], topN: number): ReportActionRow[] {
  return rows.filter((r) => r.bucket !== 'later').slice(0, topN);
}

/** Every unit's probability and bucket, sorted by unit (kept with the report for the next one's "what changed"). */
export function unitDigest(rows: readonly ReportActionRow[]): UnitDigest[] {
  return rows.map((r) => ({ unit: r.unit, probability: r.probability, bucket: r.bucket })).sort((a, b) => a.unit - b.unit);
}

export function assembleReport(input: AssembleInput): ReportDocument {
  const { template, rule, fleet } = input;
  const actions = actionRows(input.units, template, rule);
  const counts = { now: 0, soon: 0, later: 0 };
  for (const r of actions) counts[r.bucket]++;
  const panels: ReportUnitPanel[] = panelUnits(actions, template.topN).flatMap((r) => {
    const extra = input.panels.get(r.unit);
    if (extra === undefined) return [];
    return [
      {
        unit: r.unit,
        rank: r.rank,
        probability: r.probability,
        ...(r.rul === undefined ? {} : { rul: r.rul }),
        ...(r.rulLow === undefined ? {} : { rulLow: r.rulLow }),
        ...(r.rulHigh === undefined ? {} : { rulHigh: r.rulHigh }),
        lastCycle: r.lastCycle,
        action: r.action,
        risk: extra.risk,
        bias: extra.bias,
        contributions: extra.contributions.slice(0, template.topContributors),
        sources: extra.sources,
        trends: extra.trends.slice(0, template.trendCharts),
      },
    ];
  });
  const withRul = actions.some((r) => r.rul !== undefined);
  const title = input.title ?? template.title;
  const modelName = input.model.kind === 'run' ? `run ${input.model.id}` : `bundle of run ${input.model.id}`;
  const files: ReportFile[] = [...input.files];
  const inputs: { label: string; value: string }[] = [
    { label: 'Data file', value: fleet.dataFile },
    { label: 'RUL file', value: fleet.rulFile ?? '(none)' },
    { label: 'Fleet fingerprint', value: `${fleet.fingerprint} (SHA-256 of the data file's bytes followed by the RUL file's)` },
    { label: 'Model', value: input.model.kind === 'run' ? `run ${input.model.id}` : `bundle, manifest SHA-256 ${input.model.bundleSha256 ?? '?'} (run ${input.model.id})` },
    { label: 'Template', value: `${template.name} (SHA-256 ${input.templateSha256} of its canonical JSON)` },
    { label: 'Decision rule', value: `alert when probability ≥ ${rule.threshold}; failure within W = ${rule.horizon} cycles` },
    { label: 'Panels', value: `top ${template.topN} (${PANEL_DEFINITION}); ${template.topContributors} contributors and ${template.trendCharts} trend charts each` },
    { label: 'Ranking', value: RANKING_DEFINITION },
    { label: 'Buckets', value: BUCKET_DEFINITION },
    { label: 'Action rules', value: template.actions.map((a, k) => `${k + 1}. ${a.id}`).join(', ') + ' (in order; the first whose conditions all hold gives the action)' },
    { label: 'Created', value: input.createdAt },
    { label: 'Application version', value: input.appVersion },
  ];
  return {
    ...(input.sensors === undefined ? {} : { sensors: input.sensors }),
    meta: {
      title,
      author: template.author,
      subject: `Maintenance report for ${fleet.name}: ${actions.length} units scored with ${modelName}; ${counts.now} at risk now, ${counts.soon} soon.`,
      keywords: ['maintenance', 'prognostics', 'remaining useful life', fleet.name, input.model.id],
      createdAt: input.createdAt,
      appVersion: input.appVersion,
      language: template.language,
    },
    template,
    notes: input.notes ?? '',
    fleet: { name: fleet.name, units: fleet.units, rows: fleet.rows, fingerprint: fleet.fingerprint, regimes: fleet.regimes },
    model: input.model,
    rule,
    summary: { units: actions.length, ...counts, withRul },
    previous: input.previous === null ? null : compareWithPrevious(input.previous, unitDigest(actions)),
    actions,
    panels,
    health: input.health,
    appendix: { files, inputs },
  };
}
