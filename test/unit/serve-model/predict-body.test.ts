/**
 * POST /predict's byte reader (predict-body.ts) gives exactly what the general path gives — JSON.parse,
 * then tableOf — bit for bit, and the same cache-key text (canonicalJson); and it declines (undefined:
 * the general path then answers, with its own errors) every body it cannot read that way.
 */
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseFleetFile } from '../../../src/main/core/data/import-file';
import { unitSpans, type FleetTable } from '../../../src/main/core/data/table';
import { readBundle, type BundleManifest } from '../../../src/main/core/export';
import { PredictBodyReader } from '../../../src/main/serve-model/predict-body';
import { canonicalJson, tableOf, type UnitHistory } from '../../../src/main/serve-model/request';
import { CMAPSS, REPO } from '../../helpers/paths';

let manifest: BundleManifest;
let reader: PredictBodyReader;
let units: UnitHistory[];
let required: string[];

beforeAll(async () => {
  const bundle = await readBundle(join(REPO, 'resources', 'models', 'demo'));
  manifest = bundle.manifest;
  const openapi = JSON.parse(Buffer.from(bundle.files.get('openapi.json')!).toString('utf8')) as Record<string, unknown>;
  reader = PredictBodyReader.of(manifest, openapi)!;
  required = (openapi.components as { schemas: { HistoryRow: { required: string[] } } }).schemas.HistoryRow.required;
  const test = (await parseFleetFile(join(CMAPSS, 'test_FD001.txt'))).table;
  const col = new Map(test.columns.map((c, j) => [c.name, j]));
  units = unitSpans(test).map((s) => {
    const rows = [];
    for (let i = s.start; i < s.end; i++) {
      const row: Record<string, number> = { cycle: test.cycle[i]! };
      for (const c of required) if (c !== 'cycle') row[c] = test.values[col.get(c)!]![i]!;
      rows.push(row);
    }
    return { unit: s.unit, rows };
  });
});

const bits = (a: ArrayLike<number>): string => Buffer.from(Float64Array.from(a).buffer).toString('hex');

/** the reader's table equals the general path's, bit for bit, and so does the canonical text */
function expectSame(text: string): void {
  const parsed = reader.read(Buffer.from(text, 'utf8'));
  expect(parsed, text.slice(0, 200)).toBeDefined();
  const doc = JSON.parse(text) as { units: UnitHistory[] };
  const want: FleetTable = tableOf(doc.units, manifest);
  const got = parsed!.table;
  expect(got.rowCount).toBe(want.rowCount);
  expect(Array.from(got.unit)).toEqual(Array.from(want.unit));
  expect(Array.from(got.cycle)).toEqual(Array.from(want.cycle));
  expect(got.columns).toEqual(want.columns);
  expect(got.values.map(bits)).toEqual(want.values.map(bits));
  expect(parsed!.unitCount).toBe(doc.units.length);
  expect(parsed!.canonicalUnits()).toBe(canonicalJson(doc.units));
}

describe('POST /predict bodies read from their bytes', () => {
  it('reads every test_FD001 unit alone and all 100 together as JSON.parse + tableOf do', () => {
    for (const u of units) expectSame(JSON.stringify({ units: [u] }));
    expectSame(JSON.stringify({ units }));
  });

  it('takes any key order, JSON whitespace and optional known columns', () => {
    const u = units[3]!;
    const shuffled = { units: [{ rows: u.rows.map((r) => Object.fromEntries(Object.entries(r).reverse())), unit: u.unit }] };
    expectSame(JSON.stringify(shuffled));
    expectSame(JSON.stringify(shuffled, null, 2));
    expectSame(JSON.stringify(shuffled, null, '\t').replace(/\n/g, '\r\n'));
    expectSame(JSON.stringify({ units: [{ unit: 7, rows: u.rows.map((r, i) => (i % 2 === 0 ? { ...r, setting1: -0.0007, s1: 518.67 } : r)) }] }));
  });

  it('reads numbers exactly as JSON.parse does', () => {
    const texts = ['0', '-0', '-0.0', '1e2', '1E+2', '1.5e-3', '-2.5E-07', '0.1234567890123456789', '123456789012345678901234', '1e300', '5e-324', '1e-400', '2.2250738585072014e-308', '9007199254740993', '0.30000000000000004', '641.82', '8138.62', '1e22', '1e23', '123456789012345.6'];
    let seed = 12345;
    const random = (): number => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
    for (let k = 0; k < 2000; k++) {
      const x = (random() - 0.5) * 10 ** Math.floor(random() * 30 - 15);
      texts.push(String(x), x.toFixed(Math.floor(random() * 8)), x.toExponential(Math.floor(random() * 17)), x.toPrecision(1 + Math.floor(random() * 20)));
    }
    const base = units[0]!.rows[0]!;
    const rows = texts.map((t, i) => `{"cycle":${i + 1},${required.filter((c) => c !== 'cycle').map((c) => `"${c}":${c === 's7' ? t : String(base[c])}`).join(',')}}`);
    expectSame(`{"units":[{"unit":1,"rows":[${rows.join(',')}]}]}`);
  });

  it('declines every body the general path must answer', () => {
    const row = (extra = ''): string => `{"cycle":1,${required.filter((c) => c !== 'cycle').map((c) => `"${c}":1`).join(',')}${extra}}`;
    const body = (rows: string, unit = '1', more = ''): string => `{"units":[{"unit":${unit},"rows":[${rows}]${more}}]}`;
    const good = body(row());
    expectSame(good);
    const declined = [
      '',
      'null',
      '[]',
      '{}',
      '{"units":[]}',
      '{"units":{}}',
      good.slice(0, -1),
      `${good} x`,
      `${good}{}`,
      body(''),
      body(row(), '1.5'),
      body(row(), '"1"'),
      body(row(), '3000000000'),
      body(row(), '01'),
      body(row(), '1', ',"unit":2'),
      body(row(), '1', ',"note":"x"'),
      `{"units":[{"unit":1,"rows":[${row()}]}],"extra":1}`,
      `{"units":[{"unit":1,"rows":[${row()}]},{"unit":1,"rows":[${row()}]}]}`,
      body(row(',"s2":2')),
      body(row(',"unknown":2')),
      body(row(',"__proto__":{}')),
      body(row(',"setting1":null')),
      body(row(',"setting1":"1"')),
      body(row(',"setting1":true')),
      body(row(',"setting1":[1]')),
      body(row(',"s\\u0031":1')),
      body(row(',"setting1":1.')),
      body(row(',"setting1":.5')),
      body(row(',"setting1":-')),
      body(row(',"setting1":1e')),
      body(row(',"setting1":+1')),
      body(row(',"setting1":NaN')),
      body(row(',"setting1":1,')),
      body(row().replace('"s2":1,', '')),
      body(row().replace('"cycle":1', '"cycle":1.5')),
      body(row().replace('"cycle":1', '"cycle":-3000000000')),
      body(`${row()},${row()}`),
      body(`${row().replace('"cycle":1', '"cycle":2')},${row()}`),
      body(row(), '1', ',"rows":[]'),
      `{"units":[{"unit":1}]}`,
      `{"units":[{"rows":[${row()}]}]}`,
      `\ufeff${good}`,
    ];
    for (const text of declined) expect(reader.read(Buffer.from(text, 'utf8')), text).toBeUndefined();
    // and nothing it declined leaves a trace: the next body reads as before
    expectSame(good);
  });
});
