/**
 * Experiments and the comparison of runs, for the CLI (`prognos experiments …`, `runs compare`) and
 * the Compare view. Reads the store only: a comparison parses each run's stored outcome, as the
 * Results view's `runs:get` does.
 */
import { PrognosError } from '../../shared/errors';
import { MAX_COMPARE, MIN_COMPARE, type Comparison } from '../../shared/experiments';
import type { FleetComparison } from '../../shared/fleet-compare';
import { compareRuns, type CompareInput } from '../core/experiments/compare';
import { fleetDifferences, type RunFleetScores } from '../core/experiments/fleet-diff';
import type { FleetTable } from '../core/data/table';
import type { ExperimentStore } from '../core/store/store';
import type { Handlers } from './app-services';
import type { ExportService } from './exports';
import type { TrainingService } from './training';
import type { WorkerCallContext } from './worker-call';

/** What scoring a fleet with each compared run needs (the scoring worker behind ExportService). */
export interface FleetScoring {
  readonly exports: ExportService;
  readonly table: (datasetId: string) => Promise<FleetTable>;
  /** aborted when the services close */
  readonly signal: AbortSignal;
}

export class ExperimentService {
  constructor(
    private readonly store: ExperimentStore,
    private readonly training: TrainingService,
    private readonly scoring?: FleetScoring,
  ) {}

  /** The experiment id for a run about to be trained: the one named (by id or name, created when new), else "Default". */
  experimentFor(idOrName: string | undefined): string {
    const book = this.store.experiments();
    if (idOrName === undefined) return book.ensureDefault().experimentId;
    const clean = idOrName.trim();
    if (clean === '') throw new PrognosError('INVALID_INPUT', '--experiment needs a name or an id.');
    try {
      return book.resolve(clean, '--experiment').experimentId;
    } catch (e) {
      if (e instanceof PrognosError && e.code === 'NOT_FOUND' && !clean.startsWith('exp_')) return book.create(clean).experimentId;
      throw e;
    }
  }

  private checkRunIds(runIds: readonly string[]): void {
    if (runIds.length < MIN_COMPARE || runIds.length > MAX_COMPARE) {
      throw new PrognosError('INVALID_INPUT', `Compare ${MIN_COMPARE} to ${MAX_COMPARE} runs, got ${runIds.length}.`);
    }
    const twice = runIds.find((id, i) => runIds.indexOf(id) !== i);
    if (twice !== undefined) throw new PrognosError('INVALID_INPUT', `Run ${twice} is named twice.`);
  }

  /**
   * Every unit of a fleet scored at its last cycle by each run, through the scoring worker (the path
   * of the Fleet view and `prognos predict --run`, so the numbers are theirs), the largest
   * probability differences first. `what` names the fleet option in messages (`--fleet`).
   */
  async compareOnFleet(runIds: readonly string[], datasetId: string, ctx?: WorkerCallContext, what = 'fleet'): Promise<FleetComparison> {
    this.checkRunIds(runIds);
    if (this.scoring === undefined) throw new PrognosError('INTERNAL', 'Scoring is not available here.');
    const dataset = this.store.getDataset(datasetId);
    if (dataset === undefined) throw new PrognosError('NOT_FOUND', `${what}: no dataset ${datasetId}. List them with \`prognos datasets\`.`);
    for (const runId of runIds) {
      const r = this.store.getRun(runId);
      if (r === undefined) throw new PrognosError('NOT_FOUND', `No run ${runId}. List them with \`prognos runs\`.`);
      if (r.status !== 'done') throw new PrognosError('CONFLICT', `Run ${runId} is ${r.status}; only finished runs score a fleet.`);
    }
    const table = await this.scoring.table(datasetId);
    const call = ctx ?? { signal: this.scoring.signal };
    const scored: RunFleetScores[] = [];
    // one after the other: the scoring worker answers in order and keeps each run's models cached
    for (const runId of runIds) {
      const s = await this.scoring.exports.scoreWithRun(runId, table, call);
      scored.push({ runId, threshold: s.threshold, units: s.units });
    }
    return fleetDifferences({ datasetId, name: dataset.name, role: dataset.role }, scored);
  }

  compare(runIds: readonly string[]): Comparison {
    this.checkRunIds(runIds);
    const book = this.store.experiments();
    const inputs: CompareInput[] = runIds.map((runId) => {
      const r = this.store.getRun(runId);
      if (r === undefined) throw new PrognosError('NOT_FOUND', `No run ${runId}. List them with \`prognos runs\`.`);
      const d = this.training.detail(runId);
      const labels = book.runLabels(runId);
      const experiment = r.experimentId === null ? undefined : book.get(r.experimentId);
      const dataset = this.store.getDataset(r.datasetId);
      const rul = d.rul === undefined ? null : d.rul.metrics;
      return {
        runId,
        name: d.name,
        status: r.status,
        experimentId: r.experimentId,
        experimentName: experiment?.name ?? null,
        datasetId: r.datasetId,
        datasetName: dataset?.name ?? this.store.runTransfer().importOf(runId)?.datasetName ?? null,
        datasetPresent: dataset !== undefined && dataset.fingerprint === r.datasetFingerprint,
        createdAt: r.createdAt,
        models: d.models,
        tags: labels?.tags ?? [],
        config: r.config,
        metrics: d.metrics,
        rul,
        selected: d.selected,
      };
    });
    return compareRuns(inputs);
  }

  handlers(): Pick<Handlers, 'experiments:list' | 'experiments:create' | 'runs:compare' | 'runs:compareFleet'> {
    return {
      'experiments:list': () => {
        const book = this.store.experiments();
        return Promise.resolve(book.list().map((e) => ({ ...e, runIds: book.runIdsOf(e.experimentId) })));
      },
      'experiments:create': ({ name, notes, tags }) => {
        const e = this.store.experiments().create(name, { ...(notes === undefined ? {} : { notes }), ...(tags === undefined ? {} : { tags }) });
        return Promise.resolve({ ...e, runIds: [] });
      },
      'runs:compare': ({ runIds }) => Promise.resolve(this.compare(runIds)),
      'runs:compareFleet': ({ runIds, datasetId }) => this.compareOnFleet(runIds, datasetId),
    };
  }
}
