/**
 * Bundles: export a finished run, verify a bundle, and score a fleet either through a bundle's
 * ONNX models (onnxruntime, the artifact production runs) or through the in-app engines of a run.
 */
import { PrognosError } from '../../shared/errors';
import type { FleetTable } from '../core/data/table';
import { unitSpans } from '../core/data/table';
import { bundleInputFromRun, BundleScorer, verifyBundle, writeBundle, type UnitScore, type WrittenBundle } from '../core/export';
import { scoreTable } from '../core/pipeline/train';
import type { ExperimentStore } from '../core/store/store';
import type { TrainingService } from './training';

export interface ScoredUnit extends UnitScore {
  /** true remaining cycles after the last row, when the data came with a RUL file */
  readonly rul?: number;
}

export interface FleetScores {
  units: ScoredUnit[];
  /** alert when probability ≥ threshold */
  threshold: number;
  /** failure within W cycles */
  labelWindow: number;
}

export class ExportService {
  constructor(
    private readonly store: ExperimentStore,
    private readonly training: TrainingService,
    private readonly appVersion: string,
  ) {}

  async exportRun(runId: string, out: string, opts: { zip?: boolean; signKey?: string; overwrite?: boolean } = {}): Promise<WrittenBundle> {
    const trained = this.training.loadTrained(runId);
    const dataset = this.store.getDataset(trained.record.datasetId);
    if (dataset === undefined) throw new PrognosError('NOT_FOUND', `The dataset of run ${runId} is gone.`);
    const columns = dataset.summary.columns
      .filter((c) => c.role === 'setting' || c.role === 'sensor')
      .map((c) => ({ name: c.name, original: c.original, role: c.role }));
    const input = bundleInputFromRun(trained, { appVersion: this.appVersion, columns, datasetName: dataset.name, pipeline: true });
    return writeBundle(input, out, {
      ...(opts.zip === undefined ? {} : { zip: opts.zip }),
      ...(opts.signKey === undefined ? {} : { signKey: opts.signKey }),
      ...(opts.overwrite === undefined ? {} : { overwrite: opts.overwrite }),
    });
  }

  verify(path: string) {
    return verifyBundle(path);
  }

  /** Per unit at its last cycle, through the bundle's ONNX models. */
  async scoreWithBundle(bundle: string, table: FleetTable, engine: 'models' | 'pipeline' = 'models'): Promise<FleetScores> {
    const scorer = await BundleScorer.open(bundle, { engine });
    try {
      const units = withRul(await scorer.scoreUnits(table), table);
      return { units, threshold: scorer.manifest.threshold, labelWindow: scorer.manifest.label.window };
    } finally {
      await scorer.close();
    }
  }

  /** Per unit at its last cycle, through the run's in-app engines; the same shape as a bundle's. */
  scoreWithRun(runId: string, table: FleetTable): FleetScores {
    const trained = this.training.loadTrained(runId);
    const p = scoreTable(table, trained.featureState, trained.selected, trained.gbdt);
    const units = unitSpans(table).map((s) => {
      const probability = p[s.end - 1]!;
      return { unit: s.unit, cycle: table.cycle[s.end - 1]!, probability, parts: { gbdt: probability }, alert: probability >= trained.threshold };
    });
    return { units: withRul(units, table), threshold: trained.threshold, labelWindow: trained.config.labelWindow };
  }
}

function withRul(units: UnitScore[], table: FleetTable): ScoredUnit[] {
  const rul = table.rulAtEnd;
  return units.map((u) => (rul?.has(u.unit) === true ? { ...u, rul: rul.get(u.unit)! } : u));
}
