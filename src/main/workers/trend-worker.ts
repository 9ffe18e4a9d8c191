/** Worker thread: one engineered feature over the chosen units' lives (`features:trend`). */
import { PrognosError } from '../../shared/errors';
import { unitSpans } from '../core/data/table';
import { engineerFeatures } from '../core/features/engineer';
import { rulPerRow } from '../core/labels';
import { parseTrainConfig } from '../core/pipeline/config';
import type { TrendRequest, TrendValue } from './features-protocol';
import { fromWire } from './import-protocol';
import { serveJob } from './serve-job';

serveJob<TrendRequest, TrendValue>('trend-worker', ({ table: wire, feature, units, config: configInput }) => {
  const table = fromWire(wire);
  const config = parseTrainConfig(configInput);
  const f = engineerFeatures(table, config.features);
  const i = f.names.indexOf(feature);
  if (i < 0) throw new PrognosError('INVALID_INPUT', `Unknown feature "${feature}".`);
  const col = f.columns[i]!;
  const rul = rulPerRow(table);
  const wanted = new Set(units);
  return Promise.resolve({
    value: {
      feature,
      formula: f.defs[i]!.formula,
      units: unitSpans(table)
        .filter((s) => wanted.has(s.unit))
        .map((s) => ({
          unit: s.unit,
          cycle: Array.from(table.cycle.subarray(s.start, s.end)),
          rul: Array.from(rul.subarray(s.start, s.end)),
          values: Array.from(col.subarray(s.start, s.end)),
        })),
    },
  });
});
