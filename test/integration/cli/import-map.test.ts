/**
 * `prognos import FILE --map FILE.json | --map col=role | --columns role=col`: column roles and sensor
 * names at import, remembered per header; bad mappings refused naming the file, the column and the
 * reason, with nothing written.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ExperimentStore } from '../../../src/main/core/store/store';
import { ColumnMappingService } from '../../../src/main/services/column-mappings';
import { CLI, requireBuild, tempDir } from '../../helpers/paths';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}
function prognos(args: string[]): Run {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 120_000, env: { ...process.env, PROGNOS_HOME: '' } });
  return { code: r.status ?? -1, stdout: String(r.stdout), stderr: String(r.stderr) };
}

const HEADER = ['engine_id', 't', 'alt', 'mach', 'notes_code', 'lpc_out', 'hpc_press'];

/** A small CSV fleet under custom names: 3 units, alt/mach varying, two sensors drifting. */
function writeFleet(path: string, header: readonly string[] = HEADER, seed = 1): void {
  const lines = [header.join(',')];
  for (let u = 1; u <= 3; u++) {
    for (let c = 1; c <= 12 + u; c++) {
      const alt = (c + u + seed) % 2 === 0 ? 35 : 10;
      const mach = alt === 35 ? 0.84 : 0.25;
      lines.push([u, c, alt, mach, 7, (641 + 0.05 * c + ((c * 7 + u * 3 + seed) % 5) * 0.01).toFixed(2), (554 - 0.04 * c + ((c * 3 + u) % 7) * 0.02).toFixed(2)].join(','));
    }
  }
  writeFileSync(path, `${lines.join('\n')}\n`);
}

function inStore<T>(store: string, f: (s: ExperimentStore) => T): T {
  const s = ExperimentStore.open(store);
  try {
    return f(s);
  } finally {
    s.close();
  }
}

let root: string;
beforeAll(() => {
  requireBuild();
  root = tempDir('prognos-import-map-');
});

describe('prognos import --map', () => {
  it('imports with the roles and sensor names of a mapping file, and remembers them for the next file with that header', () => {
    const store = join(root, 'store-a');
    const file = join(root, 'fleet.csv');
    writeFleet(file);
    const map = join(root, 'map.json');
    writeFileSync(
      map,
      JSON.stringify(
        {
          columns: { engine_id: 'unit', t: 'cycle', alt: 'setting', mach: 'setting', notes_code: 'ignore', lpc_out: 'sensor', hpc_press: 'sensor' },
          sensors: [
            { column: 'lpc_out', name: 'T24', quantity: 'Total temperature at LPC outlet', unit: '°R' },
            { column: 'hpc_press', name: 'P30', unit: 'psia' },
          ],
        },
        null,
        2,
      ),
    );
    const r = prognos(['import', file, '--map', map, '--store', store, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const first = JSON.parse(r.stdout) as { datasetId: string; regimes: { k: number; settings: string[] } };
    expect(first.regimes.settings).toEqual(['alt', 'mach']);
    expect(first.regimes.k).toBe(2);

    inStore(store, (s) => {
      const d = s.getDataset(first.datasetId)!;
      expect(d.summary.columns.map((c) => [c.name, c.role])).toEqual([
        ['unit', 'unit'],
        ['cycle', 'cycle'],
        ['alt', 'setting'],
        ['mach', 'setting'],
        ['lpc_out', 'sensor'],
        ['hpc_press', 'sensor'],
      ]);
      const catalogue = new ColumnMappingService(s).catalogueOf(first.datasetId);
      expect(catalogue).toEqual([
        { column: 'alt', name: 'alt', quantity: '', unit: '' },
        { column: 'mach', name: 'mach', quantity: '', unit: '' },
        { column: 'lpc_out', name: 'T24', quantity: 'Total temperature at LPC outlet', unit: '°R' },
        { column: 'hpc_press', name: 'P30', quantity: '', unit: 'psia' },
      ]);
    });

    // the same header, no --map: the remembered roles and names
    const second = join(root, 'fleet-2.csv');
    writeFleet(second, HEADER, 2);
    const r2 = prognos(['import', second, '--store', store, '--json']);
    expect(r2.code, r2.stderr).toBe(0);
    const id2 = (JSON.parse(r2.stdout) as { datasetId: string }).datasetId;
    inStore(store, (s) => {
      const d = s.getDataset(id2)!;
      expect(d.summary.columns.map((c) => c.name)).not.toContain('notes_code');
      expect(d.summary.columns.filter((c) => c.role === 'setting').map((c) => c.name)).toEqual(['alt', 'mach']);
      expect(new ColumnMappingService(s).catalogueOf(id2).find((e) => e.column === 'lpc_out')?.name).toBe('T24');
    });
  });

  it('guesses the roles of a new header from the names (settings are not sensors), and --columns sets them by role', () => {
    const store = join(root, 'store-b');
    const file = join(root, 'guess.csv');
    writeFleet(file, ['engine', 'time', 'altitude', 'Mach', 'code', 'lpc_out', 'hpc_press']);
    const r = prognos(['import', file, '--store', store, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const id = (JSON.parse(r.stdout) as { datasetId: string }).datasetId;
    inStore(store, (s) => {
      const cols = s.getDataset(id)!.summary.columns;
      expect(cols.filter((c) => c.role === 'setting').map((c) => c.name)).toEqual(['altitude', 'Mach']);
      expect(cols.filter((c) => c.role === 'sensor').map((c) => c.name)).toEqual(['code', 'lpc_out', 'hpc_press']);
    });

    const r2 = prognos(['import', file, '--columns', 'setting=code,ignore=hpc_press', '--store', store, '--json']);
    expect(r2.code, r2.stderr).toBe(0);
    const id2 = (JSON.parse(r2.stdout) as { datasetId: string }).datasetId;
    inStore(store, (s) => {
      const cols = s.getDataset(id2)!.summary.columns;
      expect(cols.filter((c) => c.role === 'setting').map((c) => c.name)).toEqual(['altitude', 'Mach', 'code']);
      expect(cols.filter((c) => c.role === 'sensor').map((c) => c.name)).toEqual(['lpc_out']);
    });
  });

  it('refuses bad mappings naming the file, the column and the reason, and writes nothing', () => {
    const store = join(root, 'store-c');
    const file = join(root, 'bad.csv');
    writeFleet(file);
    const datasets = () => inStore(store, (s) => s.listDatasets().length);

    const badRole = join(root, 'bad-role.json');
    writeFileSync(badRole, '{\n  "columns": {\n    "engine_id": "unit",\n    "alt": "operating"\n  }\n}\n');
    let r = prognos(['import', file, '--map', badRole, '--store', store]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/bad-role\.json:4: column alt: role must be one of unit, cycle, setting, sensor, ignore, found "operating"/);

    const notJson = join(root, 'not-json.json');
    writeFileSync(notJson, '{\n  "columns": {\n    "alt": setting\n  }\n}\n');
    r = prognos(['import', file, '--map', notJson, '--store', store]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/not-json\.json:3: not valid JSON/);

    const unknown = join(root, 'unknown.json');
    writeFileSync(unknown, JSON.stringify({ columns: { altitude_ft: 'setting' } }));
    r = prognos(['import', file, '--map', unknown, '--store', store]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/bad\.csv:1: column altitude_ft: the column map names "altitude_ft", which is not in the header/);

    r = prognos(['import', file, '--map', 'alt=operating', '--store', store]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/--map: column "alt": role must be one of unit, cycle, setting, sensor, ignore, got "operating"/);

    r = prognos(['import', file, '--columns', 'unit=engine_id,cycle=alt,setting=alt', '--store', store]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/--columns: column "alt" is given two roles \(cycle and setting\)/);

    // two units: the file's roles cannot be imported
    r = prognos(['import', file, '--map', 'engine_id=unit,alt=unit', '--store', store]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/bad\.csv:1: 2 columns map to unit: engine_id, alt/);

    expect(datasets()).toBe(0);
    // a refused mapping is not remembered
    inStore(store, (s) => expect(s.columnMappings().mappingFor(HEADER)).toBeUndefined());
  });

  it('re-cuts C-MAPSS text when asked: a setting as a sensor, a sensor ignored', () => {
    const store = join(root, 'store-d');
    const txt = join(root, 'synth.txt');
    const synth = prognos(['synth', '--units', '4', '--seed', '2', '--out', txt]);
    expect(synth.code, synth.stderr).toBe(0);
    const r = prognos(['import', txt, '--map', 's1=ignore,setting3=sensor', '--store', store, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const id = (JSON.parse(r.stdout) as { datasetId: string }).datasetId;
    inStore(store, (s) => {
      const cols = s.getDataset(id)!.summary.columns;
      expect(cols.filter((c) => c.role === 'setting').map((c) => c.name)).toEqual(['setting1', 'setting2']);
      expect(cols.map((c) => c.name)).not.toContain('s1');
      expect(cols.filter((c) => c.role === 'sensor').map((c) => c.name)[0]).toBe('setting3');
      expect(new ColumnMappingService(s).catalogueOf(id).find((e) => e.column === 's2')?.name).toBe('T24');
    });
    const bad = prognos(['import', txt, '--map', 's3=unit', '--store', store]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/synth\.txt: column s3: in C-MAPSS text the unit is always column 1/);
  });
});
