/** The GBDT's training matrix on FD001 as the product builds it: default config, top-40 features, training units. */
import { join, resolve } from 'node:path';
import { parseFleetFile } from '../../src/main/core/data/import-file';
import { unitSpans } from '../../src/main/core/data/table';
import type { GbdtDataset } from '../../src/main/core/models/gbdt';
import { parseTrainConfig } from '../../src/main/core/pipeline/config';
import { gatherDataset, prepareFeatures, rankPrepared } from '../../src/main/core/pipeline/train';
import { selectTop } from '../../src/main/core/features/ranking';

export async function fd001GbdtMatrix(): Promise<GbdtDataset> {
  const file = join(resolve(__dirname, '..', '..', '..', 'shared', 'data', 'cmapss'), 'train_FD001.txt');
  const table = (await parseFleetFile(file)).table;
  const config = parseTrainConfig({});
  const prepared = prepareFeatures(table, config);
  const ranking = await rankPrepared(prepared, table, config);
  const selected = new Set(selectTop(ranking, config.topK));
  const columns = prepared.features.names.flatMap((n, i) => (selected.has(n) ? [prepared.features.columns[i]!] : []));
  const train = new Set(prepared.split.train);
  const rows: number[] = [];
  for (const s of unitSpans(table)) if (train.has(s.unit)) for (let i = s.start; i < s.end; i++) rows.push(i);
  return gatherDataset(columns, prepared.label, Int32Array.from(rows));
}
