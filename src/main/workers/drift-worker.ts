/**
 * Worker thread: one drift report. Reads the current data (a shared table, or a file parsed here),
 * builds both sides — a run's training units scored by its models, or a bundle's own reference and
 * the data scored by the bundle's ONNX models — and runs the engine. Main stores what this returns.
 */
import { PrognosError } from '../../shared/errors';
import { separateSettings, type Chunking } from '../../shared/drift';
import { parseFleetFile } from '../core/data/import-file';
import type { FleetTable } from '../core/data/table';
import { currentFromBundle, fullWindowRows, readDriftReference } from '../core/drift/bundle-reference';
import { computeDrift } from '../core/drift/engine';
import { resolveCurrentLives } from '../core/drift/lives';
import { currentFromRun, referenceFromRun, type DriftData } from '../core/drift/reference';
import { BundleScorer, readBundle } from '../core/export';
import type { DriftWorkerRequest, DriftWorkerValue } from './drift-protocol';
import { fromWire } from './import-protocol';
import { serveJob } from './serve-job';
import { buildTrained, releaseTrained, tensorCount } from './trained-run';

interface Sides {
  reference: DriftData;
  current: DriftData;
  /** the alert threshold on the calibrated probability (the run's or the bundle's) */
  threshold: number;
  /** the label window W (failure within W cycles) */
  labelWindow: number;
  referenceLabel: string;
  /** the chunking when none was asked for: a bundle's is the one its bands were made for; a run's the engine's default */
  chunking?: Chunking;
}

async function currentTable(req: DriftWorkerRequest, signal: AbortSignal): Promise<FleetTable> {
  const c = req.current;
  if (c.kind === 'dataset') return fromWire(c.table);
  return (await parseFleetFile(c.path, { ...(c.rulPath === undefined ? {} : { rulPath: c.rulPath }), signal })).table;
}

serveJob<DriftWorkerRequest, DriftWorkerValue>(
  'drift-worker',
  async (req, task) => {
    const cancelled = (): void => {
      if (task.signal.aborted) throw new PrognosError('CANCELLED', 'Drift report cancelled.');
    };
    task.progress(0.02, 'Reading the current data…');
    const table = await currentTable(req, task.signal);
    cancelled();
    const src = req.reference;
    let sides: Sides;
    if (src.kind === 'run') {
      task.progress(0.08, 'Scoring the reference and the current data with the run’s models…');
      const trained = await buildTrained(src.artifacts);
      try {
        const reference = referenceFromRun(trained, fromWire(src.trainingTable));
        cancelled();
        const current = currentFromRun(trained, table);
        sides = { reference, current, threshold: trained.threshold, labelWindow: trained.config.labelWindow, referenceLabel: 'the run’s training units' };
      } finally {
        releaseTrained(trained);
      }
    } else {
      task.progress(0.08, 'Reading the bundle’s drift reference…');
      const trust = { trustedKeys: src.trust.trustedKeys, requireTrusted: src.trust.requireTrusted };
      const bundle = await readBundle(src.path, trust);
      // an older bundle without drift/ is refused here, before anything is scored
      const { reference, description } = readDriftReference(bundle.files, bundle.manifest, src.label.replace(/^bundle /, ''));
      cancelled();
      task.progress(0.15, 'Scoring the current data with the bundle’s models…');
      const scorer = await BundleScorer.open(src.path, trust);
      try {
        const rows = fullWindowRows(table, bundle.manifest.windowLength);
        if (rows.length === 0) throw new PrognosError('INVALID_INPUT', `The current data has no unit with ${bundle.manifest.windowLength} cycles of history (the bundle's window).`);
        const scored = await scorer.scoreRows(table, rows);
        const sensors = reference.columns.filter((c) => c.kind === 'sensor').map((c) => c.name);
        const current = currentFromBundle(bundle.manifest, table, rows, scored.rul === undefined ? { probability: scored.probability } : { probability: scored.probability, rul: scored.rul.value }, sensors);
        const sample = description.sampled ? ` (a sample of ${description.rows.toLocaleString('en-US')} of ${description.totalRows.toLocaleString('en-US')} rows)` : '';
        sides = { reference, current, threshold: bundle.manifest.threshold, labelWindow: bundle.manifest.label.window, referenceLabel: `the training units of run ${bundle.manifest.runId}${sample}`, chunking: description.chunking };
      } finally {
        await scorer.close();
      }
    }
    cancelled();
    const o = req.options;
    const lives = resolveCurrentLives(sides.current, o.lives, sides.threshold, sides.labelWindow);
    sides = { ...sides, current: lives.data };
    const computed = await computeDrift(
      sides.reference,
      sides.current,
      {
        method: o.method,
        thresholds: o.thresholds,
        datasetDriftShare: o.datasetDriftShare,
        comparison: o.comparison,
        ...(o.chunking !== undefined ? { chunking: o.chunking } : sides.chunking !== undefined ? { chunking: sides.chunking } : {}),
        threshold: sides.threshold,
        seed: o.seed,
        referenceLabel: sides.referenceLabel,
      },
      { progress: (f, m) => task.progress(0.25 + 0.74 * f, m), signal: task.signal },
    );
    const noted = lives.note === undefined ? computed : { ...computed, notes: [lives.note, ...computed.notes] };
    // the operating settings in their own group, by the current data's column roles
    const body = separateSettings(noted, new Set(table.columns.filter((col) => col.role === 'setting').map((col) => col.name)));
    const c = req.current;
    const cur = sides.current;
    return {
      value: {
        ...body,
        source: src.kind === 'run' ? { kind: 'run', id: src.runId, label: src.label } : { kind: 'bundle', id: src.bundleId, label: src.label },
        current: {
          kind: c.kind,
          id: c.kind === 'dataset' ? c.datasetId : c.displayName,
          label: c.kind === 'dataset' ? c.label : c.rulDisplayName === undefined ? c.displayName : `${c.displayName} + ${c.rulDisplayName}`,
          rows: cur.unit.length,
          units: new Set(cur.unit).size,
          labelled: cur.labels !== undefined,
        },
      },
    };
  },
  tensorCount,
);
