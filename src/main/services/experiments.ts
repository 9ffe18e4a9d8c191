/**
 * Experiments and the comparison of runs, for the CLI (`prognos experiments …`, `runs compare`) and
 * the Compare view. Reads the store only: a comparison parses each run's stored outcome, as the
 * Results view's `runs:get` does.
 */
import { PrognosError } from '../../shared/errors';
import { MAX_COMPARE, MIN_COMPARE, type Comparison } from '../../shared/experiments';
import { compareRuns, type CompareInput } from '../core/experiments/compare';
import type { ExperimentStore } from '../core/store/store';
import type { Handlers } from './app-services';
import type { TrainingService } from './training';

export class ExperimentService {
  constructor(
    private readonly store: ExperimentStore,
    private readonly training: TrainingService,
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

  compare(runIds: readonly string[]): Comparison {
    if (runIds.length < MIN_COMPARE || runIds.length > MAX_COMPARE) {
      throw new PrognosError('INVALID_INPUT', `Compare ${MIN_COMPARE} to ${MAX_COMPARE} runs, got ${runIds.length}.`);
    }
    const twice = runIds.find((id, i) => runIds.indexOf(id) !== i);
    if (twice !== undefined) throw new PrognosError('INVALID_INPUT', `Run ${twice} is named twice.`);
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

  handlers(): Pick<Handlers, 'experiments:list' | 'runs:compare'> {
    return {
      'experiments:list': () => {
        const book = this.store.experiments();
        return Promise.resolve(book.list().map((e) => ({ ...e, runIds: book.runIdsOf(e.experimentId) })));
      },
      'runs:compare': ({ runIds }) => Promise.resolve(this.compare(runIds)),
    };
  }
}
