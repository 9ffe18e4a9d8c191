import { useCallback, useMemo, useState } from 'react';
import type { ChunkSeries, ColumnDrift, DriftReport } from '../../../../shared/drift';
import { catalogueOfIds, SensorLabels } from '../../../../shared/sensor-catalogue';
import { EChart } from '../../components/EChart';
import { Segmented } from '../../components/Segmented';
import { Tabs } from '../../components/Tabs';
import { formatDate, formatFigure, formatFixed, formatInteger, formatPercent, formatStat, plural } from '../../lib/format';
import { useSensorLabels } from '../../lib/use-sensor-labels';
import { ColumnTable } from './ColumnTable';
import { buildChunkOption, buildDistributionOption, buildPerformanceOption, buildScoresOption } from './drift-charts';
import {
  COMPARISON_NOTES,
  DEFAULT_SORT,
  METHOD_SHORT,
  alertCount,
  driftedText,
  featureSeries,
  rereadReport,
  ruleOf,
  sameRule,
  seriesOfGroup,
  sortColumns,
  type DriftRule,
} from './drift-model';
import { RuleControls } from './RuleControls';

function Figure(props: { label: string; value: string; testId: string; note?: string; title?: string; tone?: 'alert' | 'ok' }) {
  return (
    <div className={props.tone === undefined ? 'figure' : `figure figure--${props.tone}`} title={props.title}>
      <dt className="figure__label">{props.label}</dt>
      <dd className="figure__value" data-testid={props.testId}>
        {props.value}
      </dd>
      {props.note !== undefined && <dd className="figure__note">{props.note}</dd>}
    </div>
  );
}

function Summary({ r }: { r: DriftReport }) {
  const m = r.multivariate;
  const e = r.estimated;
  const p = r.prediction;
  return (
    <dl className="figures figures--inline drift-figures" data-testid="drift-summary">
      <Figure
        label="Drifted features"
        value={driftedText(r.features)}
        testId="drift-drifted"
        note={`${formatPercent(r.driftedShare)} of the run’s selected features`}
        tone={r.features.some((f) => f.drifted) ? 'alert' : undefined}
      />
      <Figure
        label="Dataset drift"
        value={r.datasetDrift ? 'Yes' : 'No'}
        testId="drift-dataset-drift"
        note={`when ≥ ${formatPercent(r.datasetDriftShare)} of the features drift`}
        tone={r.datasetDrift ? 'alert' : 'ok'}
      />
      <Figure
        label="Estimated F2"
        value={formatFixed(e.f2, 3)}
        testId="drift-estimated-f2"
        note={`${Math.round(e.level * 100)} % band ${formatFixed(e.low.f2, 3)} – ${formatFixed(e.high.f2, 3)}${r.realised === undefined ? ' · no labels' : ` · realised ${formatFixed(r.realised.f2, 3)}`}`}
        title={`Confidence-based estimate from the calibrated probabilities at threshold ${formatFixed(e.threshold, 4)}, over ${formatInteger(e.rows)} rows`}
      />
      <Figure
        label="PCA error"
        value={formatFigure(m.pca)}
        testId="drift-pca"
        note={`reference ${formatFigure(m.pcaReference)} · alert above ${formatFigure(m.pcaUpper)}`}
        title={`Mean reconstruction error of the current rows with ${plural(m.components, 'component')} fitted on the reference`}
        tone={m.pcaDrifted ? 'alert' : undefined}
      />
      <Figure
        label="Domain AUC"
        value={formatFixed(m.domainAuc, 3)}
        testId="drift-domain-auc"
        note={`drift at ≥ ${formatFixed(m.domainThreshold, 2)} · 0.5 = alike`}
        title="ROC-AUC of a GBDT telling reference rows from current ones (cross-validated)"
        tone={m.domainDrifted ? 'alert' : undefined}
      />
      <Figure
        label="Prediction drift"
        value={p.drifted ? 'Yes' : 'No'}
        testId="drift-prediction"
        note={`${METHOD_SHORT[p.method]} ${formatFigure(p.score)} vs ${formatFigure(p.threshold)}${p.rul === undefined ? '' : ` · RUL ${p.rul.drifted ? 'drifts' : 'stable'}`}`}
        title="Drift of the calibrated failure probability (and of the predicted RUL) between reference and current rows"
        tone={p.drifted ? 'alert' : undefined}
      />
    </dl>
  );
}

function ChunkChart(props: { labels: readonly string[]; series: ChunkSeries; yName: string; testId: string }) {
  const { labels, series, yName } = props;
  const option = useMemo(() => buildChunkOption(labels, series, yName), [labels, series, yName]);
  const alerts = alertCount(series);
  return (
    <div className="drift-chunk" data-testid={`${props.testId}-wrap`} data-key={series.key} data-alerts={alerts}>
      <h3 className="drift-chart-title">
        {series.label}
        <span className={alerts > 0 ? 'drift-chunk__alerts drift-chunk__alerts--on' : 'drift-chunk__alerts'}>{plural(alerts, 'alert')}</span>
        {(series.lower !== null || series.upper !== null) && (
          <span className="hint">
            band {series.lower === null ? '−∞' : formatFigure(series.lower)} – {series.upper === null ? '∞' : formatFigure(series.upper)}
          </span>
        )}
      </h3>
      <EChart option={option} height={200} testId={props.testId} label={`${series.label} per chunk with its alert band`} />
    </div>
  );
}

const PERFORMANCE_LABELS: Record<string, string> = { f2: 'F2', precision: 'Precision', recall: 'Recall', rocAuc: 'ROC-AUC', rocauc: 'ROC-AUC' };

function PerformanceChart({ r }: { r: DriftReport }) {
  const perf = seriesOfGroup(r, 'performance');
  const [key, setKey] = useState<string>(() => perf.find((s) => s.key === 'estimated:f2')?.key ?? perf[0]?.key ?? '');
  const s = perf.find((x) => x.key === key) ?? perf[0];
  const metric = s === undefined ? '' : (PERFORMANCE_LABELS[s.key.replace(/^estimated:/, '')] ?? s.label);
  const option = useMemo(() => (s === undefined ? null : buildPerformanceOption(r.chunks.labels, s, metric)), [r.chunks.labels, s, metric]);
  if (s === undefined || option === null) return <p className="muted">This report has no performance per chunk.</p>;
  return (
    <div className="drift-chunk" data-testid="drift-performance-wrap" data-key={s.key} data-alerts={alertCount(s)}>
      <div className="drift-chunk__head">
        <h3 className="drift-chart-title">
          Estimated {metric} per chunk
          <span className="hint">{r.realised === undefined ? 'no labels: estimate only' : 'realised beside, from the labels'}</span>
        </h3>
        {perf.length > 1 && (
          <Segmented
            legend="Metric"
            options={perf.map((x) => ({ value: x.key, label: PERFORMANCE_LABELS[x.key.replace(/^estimated:/, '')] ?? x.label }))}
            value={s.key}
            onChange={setKey}
            testId="drift-performance-metric"
          />
        )}
      </div>
      <EChart option={option} height={220} testId="drift-performance-chart" label={`Estimated ${metric} per chunk with its confidence band`} />
    </div>
  );
}

/** The x-axis name the chart option carries (what the chart prints under its axis). */
function xAxisName(option: ReturnType<typeof buildDistributionOption>): string | undefined {
  const x = (option as { xAxis?: { name?: unknown } }).xAxis;
  return typeof x?.name === 'string' ? x.name : undefined;
}

function Distribution({ c, label }: { c: ColumnDrift; label: string }) {
  const option = useMemo(() => buildDistributionOption(c, label), [c, label]);
  return (
    <div className="drift-distribution" data-testid="drift-distribution" data-name={c.name} data-drifted={c.drifted} data-x-axis={xAxisName(option)}>
      <h3 className="drift-chart-title">
        <span className="drift-distribution__name" title={c.name}>
          {label}
        </span>
        <span className={c.drifted ? 'alert-badge' : 'tag tag--muted'} data-testid="drift-distribution-verdict">
          {c.drifted ? 'drifts' : 'stable'}
        </span>
        <span className="hint" data-testid="drift-distribution-rule">
          {METHOD_SHORT[c.method]} {formatStat(c.score)}
          {c.method === 'ks' && c.pValue !== undefined ? `, p ${formatStat(c.pValue)} (< ${formatStat(c.threshold)} drifts)` : ` (≥ ${formatStat(c.threshold)} drifts)`}
          {' · '}
          {formatInteger(c.referenceN)} reference rows, {formatInteger(c.currentN)} current
        </span>
      </h3>
      <EChart option={option} height={230} testId="drift-distribution-chart" label={`Reference and current distributions of ${label}`} />
    </div>
  );
}

type ColumnTab = 'features' | 'sensors' | 'settings';

/** One stored report, read under the rule the controls set. */
export function DriftReportView(props: {
  report: DriftReport;
  onRecompute: ((rule: DriftRule) => void) | null;
  recomputeNote: string | null;
  busy: boolean;
}) {
  const stored = props.report;
  const [rule, setRule] = useState<DriftRule>(() => ruleOf(stored));
  const report = useMemo(() => rereadReport(stored, rule), [stored, rule]);
  const isStored = sameRule(rule, ruleOf(stored));
  const [tab, setTab] = useState<ColumnTab>('features');
  // names and units from the current fleet's sensor catalogue; a file's are its column ids' defaults (as `prognos drift` prints them)
  const datasetLabels = useSensorLabels(stored.current.kind === 'dataset' ? stored.current.id : null);
  const fileLabels = useMemo(() => new SensorLabels(catalogueOfIds((stored.settings ?? []).map((c) => c.name), stored.sensors.map((c) => c.name))), [stored]);
  const sensorLabels = stored.current.kind === 'dataset' ? datasetLabels : fileLabels;
  const label = useCallback((name: string) => sensorLabels.featureWithUnit(name), [sensorLabels]);
  // reports stored before settings were kept apart hold them among the sensors
  const settings = report.settings ?? [];
  const apart = report.settings !== undefined;
  const columns = tab === 'features' ? report.features : tab === 'settings' ? settings : report.sensors;
  const scoresOption = useMemo(() => buildScoresOption(columns, label), [columns, label]);
  // the table's first row: the feature furthest past its threshold
  const [selected, setSelected] = useState<string | null>(() => sortColumns(stored.features, DEFAULT_SORT)[0]?.name ?? null);
  const all = useMemo(() => [...report.features, ...report.sensors, ...(report.settings ?? [])], [report]);
  const column = all.find((c) => c.name === selected) ?? columns[0] ?? null;

  const chosenSeries = column === null ? undefined : featureSeries(report, column.name);
  const multivariate = seriesOfGroup(report, 'multivariate');
  const prediction = seriesOfGroup(report, 'prediction');
  const labels = report.chunks.labels;

  return (
    <div className="drift-report" data-testid="drift-report" data-report-id={report.reportId} data-method={report.method} data-stored={isStored}>
      <p className="drift-report__what" data-testid="drift-report-what">
        <strong>{report.current.label}</strong> ({formatInteger(report.current.rows)} rows, {plural(report.current.units, 'unit')}
        {report.current.labelled ? ', labelled' : ''}) against <strong>{report.source.label}</strong> (reference {report.reference.label},{' '}
        {formatInteger(report.reference.rows)} rows) <span className="muted">· {COMPARISON_NOTES[report.comparison]} · {formatDate(report.createdAt)}</span>
      </p>
      <Summary r={report} />
      {report.notes.length > 0 && (
        <ul className="drift-notes" data-testid="drift-notes">
          {report.notes.map((n, i) => (
            <li key={i}>{n}</li>
          ))}
        </ul>
      )}
      <RuleControls
        rule={rule}
        stored={isStored}
        onChange={setRule}
        onReset={() => setRule(ruleOf(stored))}
        onRecompute={props.onRecompute === null ? null : () => props.onRecompute?.(rule)}
        recomputeNote={props.recomputeNote}
        busy={props.busy}
      />
      <section className="panel drift-columns" aria-labelledby="drift-columns-title">
        <h2 className="panel__title" id="drift-columns-title">
          Per column
          <span className="panel__count" data-testid="drift-columns-count">
            {driftedText(columns, tab === 'features' ? 'feature' : tab === 'settings' ? 'setting' : 'column')}
          </span>
          <span className="hint panel__title-note">click a row to show its distributions</span>
        </h2>
        <Tabs
          items={[
            { key: 'features', label: `Features (${report.features.length})` },
            { key: 'sensors', label: apart ? `Sensors (${report.sensors.length})` : `Sensors and settings (${report.sensors.length})` },
            ...(settings.length > 0 ? [{ key: 'settings' as const, label: `Operating settings (${settings.length})` }] : []),
          ]}
          active={tab}
          onChange={setTab}
          label="Columns"
          idPrefix="drift-columns"
        />
        <div role="tabpanel" id={`drift-columns-panel-${tab}`} aria-labelledby={`drift-columns-tab-${tab}`} className="drift-columns__panel">
          {tab === 'sensors' && (
            <p className="hint">
              {apart ? 'Raw sensors' : 'Raw sensors and settings (a report stored before settings were kept apart)'}: shown for diagnosis, not counted in the dataset-drift share.
            </p>
          )}
          {tab === 'settings' && (
            <p className="hint" data-testid="drift-settings-note">
              Operating settings describe the conditions the units ran under (their regimes), not their health: a shift here is a change of operating conditions, not a drifting sensor, and is neither counted in the dataset-drift share nor ranked with the sensors.
            </p>
          )}
          <ColumnTable columns={columns} selected={column?.name ?? null} onSelect={setSelected} testId={`drift-${tab}`} label={label} />
        </div>
        <div className="drift-chart-grid">
          {column !== null ? <Distribution c={column} label={label(column.name)} /> : <p className="muted">No column selected.</p>}
          <div className="drift-scores" data-testid="drift-scores-wrap" data-drifted={columns.filter((c) => c.drifted).length}>
            <h3 className="drift-chart-title">
              Every {tab === 'features' ? 'feature' : tab === 'settings' ? 'setting' : 'column'} against its threshold
              <span className="hint">score / threshold (KS: log p / log threshold); past 1 drifts</span>
            </h3>
            <EChart option={scoresOption} height={230} testId="drift-scores-chart" label="Every column’s score against its threshold" />
          </div>
        </div>
      </section>
      <section className="panel" aria-labelledby="drift-chunks-title" data-testid="drift-chunks">
        <h2 className="panel__title" id="drift-chunks-title">
          Over time
          <span className="hint panel__title-note">
            {plural(labels.length, 'chunk')} by {report.chunking.by === 'rows' ? `${formatInteger(report.chunking.size)} rows` : report.chunking.by === 'cycles' ? `${formatInteger(report.chunking.size)} cycles` : 'import batch'}; the band is the reference chunks’ mean ± 3 sd
          </span>
        </h2>
        <div className="drift-chart-grid">
          {multivariate.map((s) => (
            <ChunkChart key={s.key} labels={labels} series={s} yName={s.label} testId={`drift-chunk-${s.key}`} />
          ))}
          {prediction.map((s) => (
            <ChunkChart key={s.key} labels={labels} series={s} yName={s.label} testId={`drift-chunk-${s.key}`} />
          ))}
          {column !== null && chosenSeries !== undefined && (
            <ChunkChart key={chosenSeries.key} labels={labels} series={chosenSeries} yName={label(column.name)} testId="drift-chunk-feature" />
          )}
          <PerformanceChart key={report.reportId} r={report} />
        </div>
      </section>
    </div>
  );
}
