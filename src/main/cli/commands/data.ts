import { resolve } from 'node:path';
import { PrognosError } from '../../../shared/errors';
import { datasetFormatSchema, type DatasetRecord } from '../../../shared/schemas';
import { cliMapping } from '../import-map';
import { regimeCountText } from '../../core/data/regimes';
import { writeSynthFleet } from '../../core/data/synth';
import { countOption, intOption, parseCommandArgs, requireOption } from '../args';
import { openServices, waitForJob } from '../context';
import { table, type Output } from '../output';
import { DATASET_ROLE_LABELS } from '../../../shared/housekeeping';
import { datasetsSubcommand } from './housekeeping';

export async function synthCommand(argv: string[], out: Output): Promise<void> {
  const { values } = parseCommandArgs(argv, { units: { type: 'string' }, seed: { type: 'string' }, out: { type: 'string' }, 'rul-out': { type: 'string' }, regimes: { type: 'string' } });
  const units = countOption(values.units, 'units', 100, 1_000_000);
  const seed = intOption(values.seed, 'seed', 1);
  if (values.regimes !== undefined && values.regimes !== '1' && values.regimes !== '6') {
    throw new PrognosError('INVALID_INPUT', `--regimes must be 1 or 6, got "${values.regimes}".`);
  }
  const regimes = values.regimes === '6' ? 6 : 1;
  const file = resolve(requireOption(values.out, 'out'));
  const started = performance.now();
  const rulOut = values['rul-out'] === undefined ? undefined : resolve(values['rul-out']);
  const r = await writeSynthFleet({ units, seed, regimes, out: file, ...(rulOut === undefined ? {} : { rulOut }) });
  const seconds = (performance.now() - started) / 1000;
  out.result({ file, rulFile: rulOut ?? null, rows: r.rows, units: r.units, bytes: r.bytes, seed, regimes, seconds }, () =>
    `Wrote ${r.rows.toLocaleString('en-US')} rows of ${r.units} units (seed ${seed}, ${regimeCountText(regimes)}${rulOut === undefined ? ', run to failure' : ', cut before failure'}) to ${file}` +
    (rulOut === undefined ? '' : ` and their true RUL to ${rulOut}`) +
    ` in ${seconds.toFixed(1)} s.`,
  );
}

function datasetJson(d: DatasetRecord): Record<string, unknown> {
  return {
    datasetId: d.datasetId,
    name: d.name,
    rows: d.rows,
    units: d.units,
    minCycles: d.minCycles,
    maxCycles: d.maxCycles,
    format: d.format,
    sourceFile: d.sourceFile,
    rulFile: d.rulFile,
    fingerprint: d.fingerprint,
    createdAt: d.createdAt,
    regimes: d.regimes,
    role: d.role,
  };
}

/** "6 operating regimes (k-means on setting1, setting2, setting3)", or why none were detected. */
function regimesLine(d: DatasetRecord): string {
  const r = d.regimes;
  if (r === null) return 'operating regimes: not detected yet (imported before detection; `prognos dataset ID` detects them)';
  const on = r.settings.length === 0 ? '' : ` on ${r.settings.join(', ')}`;
  return `${regimeCountText(r.k)}${on}${r.note === undefined ? '' : ` (${r.note})`}${r.k > 1 ? `: rows ${r.rows.join(', ')}` : ''}`;
}

export async function importCommand(argv: string[], out: Output): Promise<void> {
  const { values, positionals } = parseCommandArgs(argv, {
    rul: { type: 'string' },
    format: { type: 'string' },
    map: { type: 'string' },
    columns: { type: 'string' },
    name: { type: 'string' },
    reuse: { type: 'boolean', default: false },
    'as-new': { type: 'string' },
  });
  const file = positionals[0];
  if (file === undefined) throw new PrognosError('INVALID_INPUT', 'Usage: prognos import FILE [--rul FILE] [--format cmapss|csv] [--map FILE.json | --map col=role,...] [--columns role=col,...] [--name NAME] [--reuse | --as-new NAME]');
  if (values.reuse && values['as-new'] !== undefined) throw new PrognosError('INVALID_INPUT', '--reuse and --as-new: give one of them (use the dataset already imported, or import another copy under a new name).');
  if (values['as-new'] !== undefined && values.name !== undefined) throw new PrognosError('INVALID_INPUT', '--as-new NAME already names the new copy: leave out --name.');
  if (values['as-new'] !== undefined && values['as-new'].trim() === '') throw new PrognosError('INVALID_INPUT', '--as-new: give the new copy a name.');
  const format = values.format === undefined ? undefined : datasetFormatSchema.safeParse(values.format);
  if (format !== undefined && !format.success) throw new PrognosError('INVALID_INPUT', `--format must be cmapss or csv, got "${values.format}".`);
  const { map, catalogue } = cliMapping(values.map, values.columns);
  const services = openServices(values.store);
  try {
    const { jobId } = await services.handlers['datasets:import']({
      source: { kind: 'path', path: resolve(file) },
      ...(values.rul === undefined ? {} : { rul: { kind: 'path' as const, path: resolve(values.rul) } }),
      ...(format === undefined ? {} : { format: format.data }),
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

export async function datasetsCommand(argv: string[], out: Output): Promise<void | number> {
  const done = await datasetsSubcommand(argv, out);
  if (done !== undefined) return done;
  const { values } = parseCommandArgs(argv, { force: { type: 'boolean', default: false } });
  const services = openServices(values.store);
  try {
    const list = services.store.listDatasets();
    out.result(list.map(datasetJson), () =>
      list.length === 0
        ? 'No datasets yet. Import one with `prognos import FILE`.'
        : table(
            list.map((d) => [d.datasetId, d.name, d.role, d.rows, d.units, `${d.minCycles}–${d.maxCycles}`, d.regimes === null ? '?' : d.regimes.k, d.createdAt.slice(0, 19).replace('T', ' ')]),
            ['id', 'name', 'role', 'rows', 'units', 'cycles', 'regimes', 'imported'],
          ),
    );
  } finally {
    await services.close();
  }
}

export async function datasetCommand(argv: string[], out: Output): Promise<void> {
  const { values, positionals } = parseCommandArgs(argv, {});
  const id = positionals[0];
  if (id === undefined) throw new PrognosError('INVALID_INPUT', 'Usage: prognos dataset ID');
  const services = openServices(values.store);
  try {
    let d = services.store.getDataset(id);
    if (d === undefined) throw new PrognosError('NOT_FOUND', `No dataset ${id}. List them with \`prognos datasets\`.`);
    if (d.regimes === null) {
      // imported before regime detection: detect (in a worker) and store them now
      await services.handlers['datasets:regimes']({ datasetId: id });
      d = services.store.getDataset(id) ?? d;
    }
    const shown = d;
    out.result({ ...datasetJson(shown), summary: shown.summary }, () => {
      const d = shown;
      const s = d.summary;
      const fmt = (x: number): string => (Math.abs(x) >= 1000 ? x.toFixed(2) : x.toPrecision(6));
      return [
        `${d.name} (${d.datasetId}), ${d.format}, imported ${d.createdAt}`,
        `rows ${s.rows.toLocaleString('en-US')}, units ${s.units}, cycles per unit min ${s.minCycles} / median ${s.medianCycles} / max ${s.maxCycles}${s.hasRul ? ', with RUL' : ''}`,
        regimesLine(d),
        '',
        table(
          s.columns.map((c) => [c.name, c.role, fmt(c.min), fmt(c.max), fmt(c.mean), fmt(c.std), c.constant ? 'constant' : '']),
          ['column', 'role', 'min', 'max', 'mean', 'std', ''],
        ),
      ].join('\n');
    });
  } finally {
    await services.close();
  }
}
