/**
 * `prognos import FILE`, once its worker is started (see import.ts): the options checked, the
 * import's services loaded and the store opened while the worker parses, then the import job, which
 * takes that worker when it asks the same parse (a CSV header's remembered or guessed roles make
 * another request: the job then starts its own). Only the import's services load (import-services.ts),
 * not AppServices: every other service, and onnxruntime and the rest behind them, would cost this
 * thread CPU the worker's parse needs on the same cores.
 */
import { resolve } from 'node:path';
import { PrognosError } from '../../../shared/errors';
import { DATASET_ROLE_LABELS } from '../../../shared/housekeeping';
import type { DatasetFormat } from '../../../shared/schemas';
import type { EarlyWorker } from '../../services/early-worker';
import type * as Services from '../../services/import-services';
import type { ToImportWorker } from '../../workers/import-protocol';
import { IMPORT_WORKER } from '../../paths';
import { parseCommandArgs, storeDirOption } from '../args';
import { cliMapping } from '../import-map';
import type { Output } from '../output';
import { waitForJob } from '../wait-for-job';
import { datasetJson, regimesLine } from './dataset-text';
import { IMPORT_OPTIONS } from './import';

/** Runs the command with the worker `startEarly` started (none: the job starts its own); a worker no job takes is stopped. */
export async function runImport(argv: string[], out: Output, early: EarlyWorker<ToImportWorker> | undefined): Promise<void> {
  try {
    await importWith(argv, out, early);
  } finally {
    early?.discard(); // a no-op once the job took it
  }
}

async function importWith(argv: string[], out: Output, early: EarlyWorker<ToImportWorker> | undefined): Promise<void> {
  const { values, positionals } = parseCommandArgs(argv, IMPORT_OPTIONS);
  const file = positionals[0];
  if (file === undefined) throw new PrognosError('INVALID_INPUT', 'Usage: prognos import FILE [--rul FILE] [--format cmapss|csv] [--map FILE.json | --map col=role,...] [--columns role=col,...] [--name NAME] [--reuse | --as-new NAME]');
  if (values.reuse && values['as-new'] !== undefined) throw new PrognosError('INVALID_INPUT', '--reuse and --as-new: give one of them (use the dataset already imported, or import another copy under a new name).');
  if (values['as-new'] !== undefined && values.name !== undefined) throw new PrognosError('INVALID_INPUT', '--as-new NAME already names the new copy: leave out --name.');
  if (values['as-new'] !== undefined && values['as-new'].trim() === '') throw new PrognosError('INVALID_INPUT', '--as-new: give the new copy a name.');
  const format: DatasetFormat | undefined = values.format === undefined ? undefined : values.format === 'cmapss' || values.format === 'csv' ? values.format : undefined;
  if (values.format !== undefined && format === undefined) throw new PrognosError('INVALID_INPUT', `--format must be cmapss or csv, got "${values.format}".`);
  const { map, catalogue } = cliMapping(values.map, values.columns);
  const path = resolve(file);
  const rulPath = values.rul === undefined ? undefined : resolve(values.rul);
  // the import's services (SQLite, the store) load while the worker parses
  const { ImportServices }: typeof Services = await import('../../services/import-services');
  const services = new ImportServices({ storeDir: storeDirOption(values.store), importWorker: IMPORT_WORKER, ...(early === undefined ? {} : { earlyImport: early }) });
  try {
    const jobId = services.startImport({
      source: { kind: 'path', path },
      ...(rulPath === undefined ? {} : { rul: { kind: 'path' as const, path: rulPath } }),
      ...(format === undefined ? {} : { format }),
      ...(map === undefined ? {} : { map }),
      ...(catalogue === undefined ? {} : { catalogue }),
      ...(values['as-new'] !== undefined ? { name: values['as-new'] } : values.name === undefined ? {} : { name: values.name }),
      // the same file again asks first (refused naming the dataset), unless told; other column roles make another dataset
      duplicates: values.reuse ? 'reuse' : values['as-new'] !== undefined || map !== undefined ? 'new' : 'ask',
    });
    let finished;
    try {
      finished = await waitForJob(services, jobId, out);
    } catch (e) {
      if (e instanceof PrognosError && e.code === 'CONFLICT' && e.details?.existing !== undefined) {
        const said = e.message.replace(/ Open the existing one, or import it again under a new name\.$/, '');
        throw new PrognosError('CONFLICT', `${said} Nothing was imported: run again with --reuse to use that dataset, or with --as-new NAME to import another copy under NAME.`, e.details);
      }
      throw e;
    }
    const result = finished.result;
    if (result === undefined || !('duplicateOf' in result)) throw new Error('import job finished without a dataset');
    const d = result.dataset;
    if (result.reused === true) {
      out.result({ ...datasetJson(d), medianCycles: d.summary.medianCycles, constantColumns: d.summary.constantColumns, duplicateOf: result.duplicateOf, reused: true }, () =>
        `Already imported as ${d.name} (${d.datasetId}); nothing imported (--reuse).`,
      );
      return;
    }
    if (result.duplicateOf.length > 0) out.note(`Note: the same file was imported before as ${result.duplicateOf.join(', ')}.`);
    out.result({ ...datasetJson(d), medianCycles: d.summary.medianCycles, constantColumns: d.summary.constantColumns, duplicateOf: result.duplicateOf }, () =>
      [
        `Imported ${d.name} as ${d.datasetId}, ${d.role === 'unlabeled' ? 'an' : 'a'} ${DATASET_ROLE_LABELS[d.role]} (change with \`prognos datasets set-role ${d.datasetId} ROLE\`)`,
        `  rows ${d.rows.toLocaleString('en-US')}, units ${d.units}, cycles per unit ${d.minCycles}–${d.maxCycles} (median ${d.summary.medianCycles})`,
        d.summary.constantColumns.length > 0 ? `  constant columns: ${d.summary.constantColumns.join(', ')}` : '  no constant columns',
        `  ${regimesLine(d)}`,
        d.rulFile !== null ? `  RUL file: ${d.rulFile}` : '',
      ]
        .filter((l) => l !== '')
        .join('\n'),
    );
  } finally {
    await services.close();
  }
}
