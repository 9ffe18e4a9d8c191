/**
 * `prognos import FILE`: a fleet file into the store. The import worker starts first thing, before
 * this command loads anything but Node's own modules (the options are read with node:util here; zod,
 * the store and the services load after, in import-run.ts), so the worker boots, loads and parses
 * while this thread loads the services and opens the store. It is started for C-MAPSS text named
 * without a column map: its roles then come from the options alone, and the import job asks the very
 * same parse. Anything else (a CSV file, --map or --columns, options that do not parse) starts no
 * worker here: the job starts its own, and says what is wrong if anything is.
 */
import { open } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { bomLength, detectFormat } from '../../core/data/format-sniff';
import { IMPORT_WORKER } from '../../paths';
import type { EarlyWorker } from '../../services/early-worker';
import { startImportEarly } from '../../services/import-early';
import type { ToImportWorker } from '../../workers/import-protocol';
import type { Output } from '../output';

/** The command's own options (the common ones, --store, --json and --help, come with them). */
export const IMPORT_OPTIONS = {
  rul: { type: 'string' },
  format: { type: 'string' },
  map: { type: 'string' },
  columns: { type: 'string' },
  name: { type: 'string' },
  reuse: { type: 'boolean', default: false },
  'as-new': { type: 'string' },
} as const;

export async function importCommand(argv: string[], out: Output): Promise<void> {
  const early = await startEarly(argv);
  const run = await import('./import-run').then(
    (m) => m.runImport,
    (e: unknown) => {
      early?.discard();
      throw e;
    },
  );
  await run(argv, out, early);
}

/** The import worker for the parse the job will ask, when that is C-MAPSS text without a column map (else none). */
async function startEarly(argv: string[]): Promise<EarlyWorker<ToImportWorker> | undefined> {
  let values: { rul?: string | undefined; format?: string | undefined; map?: string | undefined; columns?: string | undefined };
  let file: string | undefined;
  try {
    const parsed = parseArgs({
      args: argv,
      options: { ...IMPORT_OPTIONS, store: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
      allowPositionals: true,
      strict: true,
    });
    values = parsed.values;
    file = parsed.positionals[0];
  } catch {
    return undefined;
  }
  if (file === undefined || values.map !== undefined || values.columns !== undefined) return undefined;
  if (values.format !== undefined && values.format !== 'cmapss') return undefined;
  const path = resolve(file);
  if (values.format === undefined && !(await isCmapssText(path))) return undefined;
  const rulPath = values.rul === undefined ? undefined : resolve(values.rul);
  return startImportEarly(IMPORT_WORKER, {
    type: 'parse',
    path,
    displayName: basename(path),
    ...(rulPath === undefined ? {} : { rulPath, rulDisplayName: basename(rulPath) }),
    ...(values.format === undefined ? {} : { format: 'cmapss' as const }),
    // as the import job asks it (dataset-import.ts): the CLI writes the columns while they are summarised
    tableFirst: true,
  });
}

/** Whether the file reads as C-MAPSS text as the importer detects it (`detectFormat` on its first 64 KiB; unreadable: false). */
async function isCmapssText(path: string): Promise<boolean> {
  try {
    const fh = await open(path, 'r');
    try {
      const head = Buffer.alloc(64 * 1024);
      const { bytesRead } = await fh.read(head, 0, head.length, 0);
      return detectFormat(head, bomLength(head, bytesRead), bytesRead) === 'cmapss';
    } finally {
      await fh.close();
    }
  } catch {
    return false;
  }
}
