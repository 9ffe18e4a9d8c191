import { resolve } from 'node:path';
import { PrognosError } from '../../../shared/errors';
import { regimeCountText } from '../../core/data/regimes';
import { writeSynthFleet } from '../../core/data/synth';
import { countOption, intOption, parseCommandArgs, requireOption } from '../args';
import { openServices } from '../context';
import { table, type Output } from '../output';
import { datasetsSubcommand } from './housekeeping';
import { datasetJson, regimesLine } from './dataset-text';

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
