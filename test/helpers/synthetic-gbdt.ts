/**
 * Small GBDTs on the synthetic fleet for the TreeSHAP tests: engineered features of a seeded fleet
 * (a few sensors, two windows) with a share of the values replaced by NaN, a binary:logistic
 * classifier of "fails within 30 cycles" and a reg:squarederror RUL model (capped at 125) on them.
 */
import { synthesizeFleet } from '../../src/main/core/data/synth';
import type { FleetTable } from '../../src/main/core/data/table';
import { engineerFeatures, type FeatureState } from '../../src/main/core/features/engineer';
import { failWithin, rulPerRow } from '../../src/main/core/labels';
import { trainGbdt, type GbdtModel, type GbdtParams } from '../../src/main/core/models/gbdt';
import { SeededRng } from '../../src/main/core/models/gbdt/rng';

export interface SyntheticGbdts {
  table: FleetTable;
  state: FeatureState;
  names: string[];
  /** engineered features with NaN holes (what both models were trained on) */
  columns: Float32Array[];
  rows: number;
  /** RUL per row (uncapped) */
  target: Int32Array;
  classifier: GbdtModel;
  regressor: GbdtModel;
}

export interface SyntheticGbdtOptions {
  units?: number;
  seed?: number;
  /** share of feature values replaced by NaN (default 0.01) */
  missing?: number;
  params?: Partial<GbdtParams>;
}

export async function syntheticGbdts(o: SyntheticGbdtOptions = {}): Promise<SyntheticGbdts> {
  const table = synthesizeFleet({ units: o.units ?? 24, seed: o.seed ?? 11 });
  const f = engineerFeatures(table, {
    sensors: ['s2', 's3', 's4', 's7', 's11', 's12', 's15', 's20', 'setting1'],
    windows: [5, 15],
    stats: ['mean', 'std', 'slope'],
    include: { raw: true, diff: true, ewma: true, age: false, baseline: false },
  });
  const rng = new SeededRng((o.seed ?? 11) + 1000);
  const missing = o.missing ?? 0.01;
  const columns = f.columns.map((c) => Float32Array.from(c, (v) => (rng.next() < missing ? Number.NaN : v)));
  const rul = rulPerRow(table);
  const label = failWithin(rul, 30);
  const target = Float32Array.from(rul, (r) => Math.min(125, r));
  const rows = table.rowCount;
  const params: Partial<GbdtParams> = {
    nEstimators: 40,
    maxDepth: 5,
    eta: 0.2,
    earlyStoppingRounds: 0,
    nThreads: 1,
    ...o.params,
  };
  const classifier = await trainGbdt(
    { rows, features: columns.length, columns, label },
    params,
    { featureNames: f.names },
  );
  const regressor = await trainGbdt(
    { rows, features: columns.length, columns, label: new Uint8Array(0), target },
    { ...params, objective: 'reg:squarederror' },
    { featureNames: f.names },
  );
  return { table, state: f.state, names: f.names, columns, rows, target: rul, classifier, regressor };
}
