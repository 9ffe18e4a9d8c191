/**
 * Worker thread: scores fleets (`fleet:score`) and units over time (`fleet:series`) through a run's
 * engines or a bundle's ONNX models. It lives as long as the services and keeps the four most
 * recently used models loaded; an evicted or closed model has its tfjs tensors disposed or its
 * onnxruntime sessions released.
 */
import { parentPort } from 'node:worker_threads';
import { assertNever } from '../../shared/brand';
import { PrognosError, toErrorValue } from '../../shared/errors';
import { BundleScorer, type UnitScore } from '../core/export';
import type { FleetTable } from '../core/data/table';
import { pickUnits, rowRange, unitSpans } from '../core/data/table';
import { scoreRows } from '../core/pipeline/train';
import { fromWire } from './import-protocol';
import { ModelCache } from './model-cache';
import { ensembleOf, finishedRun, readRunArtifacts } from './run-artifacts';
import { readOnlyRuns } from './run-reader';
import type { FleetScores, FromScoreWorker, ScoredUnit, ScoreReplies, ScoreRequest, ScoreSource, SeriesValue, ToScoreWorker, UnitSeries } from './score-protocol';
import { buildTrained, releaseTrained, tensorCount, type TrainedRun } from './trained-run';

const port = parentPort;
if (port === null) throw new Error('score-worker must run in a worker thread');
const post = (m: FromScoreWorker): void => port.postMessage(m);

/** models kept loaded at once */
export const MODEL_CACHE_BOUND = 4;
/** units scored between two looks at the cancel flag */
const CHUNK_UNITS = 50;

type Loaded = { kind: 'run'; trained: TrainedRun } | { kind: 'bundle'; scorer: BundleScorer };
let released = 0;
const cache = new ModelCache<Loaded>(MODEL_CACHE_BOUND, async (m) => {
  released++;
  if (m.kind === 'run') releaseTrained(m.trained);
  else await m.scorer.close();
});

const cancelled = new Set<number>();

function load(source: ScoreSource): Promise<Loaded> {
  if (source.kind === 'run') {
    return cache.get(`run:${source.dbPath}:${source.runId}`, async () => ({ kind: 'run', trained: await buildTrained(readRunArtifacts(readOnlyRuns(source.dbPath), source.runId)) }));
  }
  // the trust options are part of the key: a bundle opened under one keyring or policy is not reused under another
  const trust = `${source.trust.requireTrusted ? 'required' : 'optional'}:${source.trust.trustedKeys.map((k) => k.keyId).join(',')}`;
  return cache.get(`bundle:${source.engine}:${source.version}:${trust}:${source.path}`, async () => ({
    kind: 'bundle',
    scorer: await BundleScorer.open(source.path, { engine: source.engine, trustedKeys: source.trust.trustedKeys, requireTrusted: source.trust.requireTrusted }),
  }));
}


function withRul(units: UnitScore[], table: FleetTable): ScoredUnit[] {
  const rul = table.rulAtEnd;
  return units.map((u) => (rul?.has(u.unit) === true ? { ...u, trueRul: rul.get(u.unit)! } : u));
}

function runUnits(table: FleetTable, trained: TrainedRun): ScoredUnit[] {
  const spans = unitSpans(table);
  const p = scoreRows(table, trained, Int32Array.from(spans, (s) => s.end - 1));
  return spans.map((s, k) => {
    const probability = p.probability[k]!;
    const gbdt = p.gbdt[k]!;
    const rul = p.rul === undefined ? {} : { rul: p.rul.value[k]!, rulLow: p.rul.low[k]!, rulHigh: p.rul.high[k]! };
    return { unit: s.unit, cycle: table.cycle[s.end - 1]!, probability, parts: p.lstm === undefined ? { gbdt } : { gbdt, lstm: p.lstm[k]! }, alert: probability >= trained.threshold, ...rul };
  });
}

const yieldToMessages = (): Promise<void> => new Promise((r) => setImmediate(r));

/** The run's ensemble choice as its record has it now (the analyst may change it after training). */
function current(source: ScoreSource, trained: TrainedRun): Pick<TrainedRun, 'weight' | 'threshold' | 'calibration'> {
  if (source.kind !== 'run') return trained;
  return ensembleOf(finishedRun(readOnlyRuns(source.dbPath), source.runId), trained.lstm !== undefined);
}

async function score(id: number, source: ScoreSource, table: FleetTable): Promise<FleetScores> {
  const m = await load(source);
  // the cached models with the run's current weight, threshold and calibration
  const run = m.kind === 'run' ? { ...m.trained, ...current(source, m.trained) } : undefined;
  const spans = unitSpans(table);
  const units: ScoredUnit[] = [];
  // every feature is computed within a unit, so scoring a block of units alone gives the same numbers
  for (let a = 0; a < spans.length; a += CHUNK_UNITS) {
    await yieldToMessages();
    if (cancelled.has(id)) throw new PrognosError('CANCELLED', 'Scoring cancelled.');
    const b = Math.min(spans.length, a + CHUNK_UNITS);
    const part = rowRange(table, spans[a]!.start, spans[b - 1]!.end);
    units.push(...(run !== undefined ? runUnits(part, run) : await (m as { scorer: BundleScorer }).scorer.scoreUnits(part)));
    post({ type: 'progress', id, fraction: b / spans.length, message: `Scored ${b} of ${spans.length} units…` });
  }
  if (run !== undefined) {
    const coverage = run.rul?.interval.coverage;
    return { units: withRul(units, table), threshold: run.threshold, labelWindow: run.config.labelWindow, ...(coverage === undefined ? {} : { rulCoverage: coverage }) };
  }
  const { manifest, trust } = (m as { scorer: BundleScorer }).scorer;
  return {
    units: withRul(units, table),
    threshold: manifest.threshold,
    labelWindow: manifest.label.window,
    trust,
    ...(manifest.rul === undefined ? {} : { rulCoverage: manifest.rul.interval.coverage }),
  };
}

async function series(source: ScoreSource, full: FleetTable, wanted: readonly number[]): Promise<SeriesValue> {
  const set = new Set(wanted);
  const table = pickUnits(full, unitSpans(full).filter((s) => set.has(s.unit)));
  const spans = unitSpans(table);
  const rows = Int32Array.from({ length: table.rowCount }, (_, i) => i);
  const m = await load(source);
  let threshold: number;
  let probability: ArrayLike<number>;
  let gbdt: ArrayLike<number>;
  let lstm: ArrayLike<number> | undefined;
  if (m.kind === 'run') {
    const a = current(source, m.trained);
    ({ probability, gbdt, lstm } = scoreRows(table, { ...m.trained, weight: a.weight, calibration: a.calibration }, rows));
    threshold = a.threshold;
  } else {
    ({ probability, gbdt, lstm } = await m.scorer.scoreRows(table, rows));
    threshold = m.scorer.manifest.threshold;
  }
  const units: UnitSeries[] = spans.map((s) => {
    const slice = (x: ArrayLike<number>): number[] => Array.from({ length: s.end - s.start }, (_, j) => x[s.start + j]!);
    return { unit: s.unit, cycle: Array.from(table.cycle.subarray(s.start, s.end)), probability: slice(probability), gbdt: slice(gbdt), lstm: lstm === undefined ? null : slice(lstm) };
  });
  return { threshold, units };
}

async function answer(id: number, r: ScoreRequest): Promise<ScoreReplies[keyof ScoreReplies]> {
  switch (r.type) {
    case 'score':
      return score(id, r.source, fromWire(r.table));
    case 'series':
      return series(r.source, fromWire(r.table), r.units);
    case 'stats': {
      // where the process exposes gc (the soak benchmark), count only what is still reachable
      const gc = (globalThis as { gc?: () => void }).gc;
      if (typeof gc === 'function') gc();
      const mem = process.memoryUsage();
      return { tensors: tensorCount(), cached: cache.size, released, rss: mem.rss, heapUsed: mem.heapUsed };
    }
    default:
      return assertNever(r, 'score request');
  }
}

// one request at a time, in order: a model is never evicted while another request uses it
let queue: Promise<void> = Promise.resolve();

port.on('message', (m: ToScoreWorker) => {
  switch (m.type) {
    case 'cancel':
      cancelled.add(m.id);
      break;
    case 'close':
      queue = queue.then(async () => {
        await cache.clear();
        post({ type: 'closed' });
      });
      break;
    case 'score':
    case 'series':
    case 'stats': {
      const { id } = m;
      queue = queue.then(async () => {
        try {
          if (cancelled.has(id)) throw new PrognosError('CANCELLED', 'Scoring cancelled.');
          post({ type: 'done', id, value: await answer(id, m) });
        } catch (e) {
          post({ type: 'error', id, error: toErrorValue(e) });
        } finally {
          cancelled.delete(id);
        }
      });
      break;
    }
    default:
      assertNever(m, 'worker message');
  }
});
