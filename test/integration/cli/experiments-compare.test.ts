/**
 * `prognos experiments …`, `train --experiment`, `runs compare`, and `runs export/import` between two
 * stores, with archives built to attack the importer: a tampered entry, path traversal, a symbolic
 * link, a zip bomb, an entry larger than allowed, an unlisted entry, a duplicate run id.
 */
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { deflateRawSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { readZip, crc32 } from '../../../src/main/core/export/zip';
import { sha256Hex } from '../../../src/main/core/export/checksums';
import { readRunArchive } from '../../../src/main/core/experiments/run-archive';
import { CLI, requireBuild, tempDir } from '../../helpers/paths';
import { entry, rawZip, type RawEntry } from '../../helpers/raw-zip';

const stores = { a: '', b: '' };
/** Runs the CLI without blocking this thread (the test runner's messages keep flowing on a busy machine). */
async function prognos(store: string, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const r = await promisify(execFile)(process.execPath, [CLI, ...args, '--store', store], { encoding: 'utf8', env: { ...process.env, PROGNOS_HOME: '' }, maxBuffer: 64 * 1024 * 1024 });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (e) {
    const x = e as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof x.code === 'number' ? x.code : -1, stdout: x.stdout ?? '', stderr: x.stderr ?? '' };
  }
}
async function json<T>(store: string, ...args: string[]): Promise<T> {
  const r = await prognos(store, ...args, '--json');
  if (r.code !== 0) throw new Error(`prognos ${args.join(' ')} failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as T;
}

interface Experiment {
  experimentId: string;
  name: string;
  notes: string;
  tags: string[];
  runs: number;
}
interface Comparison {
  runs: { runId: string; metrics: Record<string, unknown>; experimentName: string | null }[];
  configDiff: { path: string; values: unknown[]; absent: number[] }[];
  metricTable: { key: string; direction: string | null; values: (number | null)[]; best: number[] }[];
}

let data = '';
let fleet = '';
const runs = { base: '', deep: '' };
let archive = '';

beforeAll(async () => {
  requireBuild();
  stores.a = tempDir();
  stores.b = tempDir();
  data = tempDir();
  fleet = join(data, 'fleet.txt');
  await json(stores.a, 'synth', '--units', '12', '--seed', '3', '--out', fleet);
  const datasetId = (await json<{ datasetId: string }>(stores.a, 'import', fleet)).datasetId;
  // two small GBDT-only runs that differ in exactly one config value
  writeFileSync(join(data, 'base.json'), JSON.stringify({ models: ['gbdt'], gbdt: { nEstimators: 5 }, rul: { enabled: false } }));
  writeFileSync(join(data, 'deep.json'), JSON.stringify({ models: ['gbdt'], gbdt: { nEstimators: 5, maxDepth: 3 }, rul: { enabled: false } }));
  runs.base = (await json<{ runId: string }>(stores.a, 'train', '--dataset', datasetId, '--config', join(data, 'base.json'))).runId;
  const deep = await json<{ runId: string; experimentId: string }>(stores.a, 'train', '--dataset', datasetId, '--config', join(data, 'deep.json'), '--experiment', 'depth study');
  runs.deep = deep.runId;
}, 300_000);

describe('experiments', () => {
  it('puts a run in "Default" unless --experiment names one (created when new), and lists both', async () => {
    const list = await json<Experiment[]>(stores.a, 'experiments');
    expect(list.map((e) => [e.name, e.runs]).sort()).toEqual([['Default', 1], ['depth study', 1]]);
    const detail = await json<{ experimentId: string; experimentName: string }>(stores.a, 'run', runs.deep);
    expect(detail.experimentName).toBe('depth study');
  });

  it('creates, renames, tags, annotates, moves and deletes; bad input names the argument and writes nothing', async () => {
    const e = await json<Experiment>(stores.a, 'experiments', 'create', 'Shortlist', '--notes', 'for the review', '--tag', 'fd001', '--tag', 'gbdt');
    expect(e).toMatchObject({ name: 'Shortlist', notes: 'for the review', tags: ['fd001', 'gbdt'], runs: 0 });
    const dup = await prognos(stores.a, 'experiments', 'create', 'Shortlist');
    expect(dup.code).toBe(1);
    expect(dup.stderr).toMatch(/an experiment named "Shortlist" exists already/);
    expect((await json<Experiment>(stores.a, 'experiments', 'rename', 'Shortlist', 'Short list')).name).toBe('Short list');
    expect((await json<Experiment>(stores.a, 'experiments', 'tag', e.experimentId, 'review', '--remove', 'gbdt')).tags).toEqual(['fd001', 'review']);
    const badTag = await prognos(stores.a, 'experiments', 'tag', e.experimentId, 'a,b');
    expect(badTag.code).toBe(1);
    expect(badTag.stderr).toMatch(/TAG "a,b": a tag must not hold commas/);
    expect((await json<{ tags: string[] }>(stores.a, 'experiments', 'tag', '--run', runs.base, 'baseline')).tags).toEqual(['baseline']);
    expect((await json<{ notes: string }>(stores.a, 'experiments', 'notes', '--run', runs.base, 'the default config')).notes).toBe('the default config');
    // a move, and a delete that states what goes
    await json(stores.a, 'experiments', 'move', runs.base, '--to', 'Short list');
    expect((await json<Experiment>(stores.a, 'experiments', 'show', 'Short list')).runs).toBe(1);
    const refused = await prognos(stores.a, 'experiments', 'delete', 'Short list');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(runs.base);
    expect(refused.stderr).toMatch(/Nothing was deleted: add --force/);
    await json(stores.a, 'experiments', 'move', runs.base, '--to', 'Default');
    expect((await json<{ deleted: boolean }>(stores.a, 'experiments', 'delete', 'Short list')).deleted).toBe(true);
    const unknown = await prognos(stores.a, 'experiments', 'move', runs.base, '--to', 'nowhere');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/--to: no experiment "nowhere"/);
    expect((await json<{ runId: string }[]>(stores.a, 'runs')).map((r) => r.runId).sort()).toEqual([runs.base, runs.deep].sort());
  });
});

describe('runs compare', () => {
  it('lists exactly the one config path that differs, with the best run per metric by direction', async () => {
    const c = await json<Comparison>(stores.a, 'runs', 'compare', runs.base, runs.deep);
    expect(c.runs.map((r) => r.runId)).toEqual([runs.base, runs.deep]);
    expect(c.configDiff).toEqual([{ path: 'gbdt.maxDepth', values: [8, 3], absent: [] }]);
    for (const row of c.metricTable) {
      const present = row.values.filter((v): v is number => v !== null);
      if (row.direction === null || present.length < 2) expect(row.best).toEqual([]);
      else {
        const best = row.direction === 'higher' ? Math.max(...present) : Math.min(...present);
        expect(row.best).toEqual(row.values.flatMap((v, i) => (v === best ? [i] : [])));
      }
    }
    expect(c.metricTable.find((r) => r.key === 'gbdt.validation.brier')?.direction).toBe('lower');
    expect(c.metricTable.find((r) => r.key === 'gbdt.validation.f2')?.direction).toBe('higher');
    const text = (await prognos(stores.a, 'runs', 'compare', runs.base, runs.deep)).stdout;
    expect(text).toMatch(/gbdt\.maxDepth\s+8\s+3/);
    const one = await prognos(stores.a, 'runs', 'compare', runs.base);
    expect(one.code).toBe(1);
    expect(one.stderr).toMatch(/Name 2 to 8 runs/);
  });
});

describe('runs export and import', () => {
  it('moves a run to a store without its dataset: metrics, artifacts and predictions identical', async () => {
    archive = join(data, 'base.prognos-run.zip');
    const exported = await json<{ bytes: number; sha256: string }>(stores.a, 'runs', 'export', runs.base, '--out', archive);
    expect(exported.sha256).toBe(sha256Hex(readFileSync(archive)));
    const again = await prognos(stores.a, 'runs', 'export', runs.base, '--out', archive);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/the file exists; add --force/);

    const imported = await json<{ runId: string; datasetPresent: boolean }>(stores.b, 'runs', 'import', archive);
    expect(imported).toMatchObject({ runId: runs.base, datasetPresent: false });
    const before = await json<Record<string, unknown>>(stores.a, 'run', runs.base);
    const after = await json<Record<string, unknown>>(stores.b, 'run', runs.base);
    for (const key of ['metrics', 'params', 'config', 'threshold', 'calibration', 'seed', 'tags', 'notes']) expect(after[key]).toEqual(before[key]);
    const sums = (r: Record<string, unknown>) => (r.artifacts as { name: string; sha256: string }[]).map((a) => [a.name, a.sha256]);
    expect(sums(after)).toEqual(sums(before));
    expect(after.datasetPresent).toBe(false);
    expect((await prognos(stores.b, 'run', runs.base)).stdout).toMatch(/its dataset fleet\.txt \(fingerprint [0-9a-f]{64}\) is not present in this store/);
    // predictions from either store are the same numbers
    const predict = async (store: string) => (await json<{ units: unknown[] }>(store, 'predict', '--run', runs.base, '--data', fleet)).units;
    expect(await predict(stores.b)).toEqual(await predict(stores.a));
  });

  it('refuses a run id it holds already unless --new-id', async () => {
    const dup = await prognos(stores.b, 'runs', 'import', archive);
    expect(dup.code).toBe(1);
    expect(dup.stderr).toMatch(new RegExp(`run ${runs.base} is in this store already; add --new-id`));
    const fresh = await json<{ runId: string; sourceRunId: string }>(stores.b, 'runs', 'import', archive, '--new-id');
    expect(fresh.sourceRunId).toBe(runs.base);
    expect(fresh.runId).not.toBe(runs.base);
    expect(await json<{ runId: string }[]>(stores.b, 'runs')).toHaveLength(2);
  });
});

describe('hostile archives', () => {
  /** the honest archive's entries, to rebuild with one change */
  const honest = (): Map<string, Uint8Array> => readZip(readFileSync(archive));
  const sumsOf = (files: Map<string, Uint8Array>): Uint8Array =>
    new TextEncoder().encode(
      [...files]
        .filter(([n]) => n !== 'SHA256SUMS')
        .map(([n, d]) => `${sha256Hex(d)}  ${n}\n`)
        .join(''),
    );
  function write(name: string, entries: RawEntry[]): string {
    const file = join(data, name);
    writeFileSync(file, rawZip(entries));
    return file;
  }
  const refusal = async (file: string): Promise<string> => {
    try {
      await readRunArchive(file, 'attack.zip');
    } catch (e) {
      return (e as Error).message;
    }
    return 'accepted';
  };

  it('refuses a tampered entry, naming it, and leaves the store as it was', async () => {
    const files = honest();
    const art = new Uint8Array(files.get('artifacts/000.bin')!);
    art[10] = art[10]! ^ 1;
    files.set('artifacts/000.bin', art);
    const file = write('tampered.zip', [...files].map(([n, d]) => entry(n, d)));
    expect(await refusal(file)).toMatch(/attack\.zip: entry artifacts\/000\.bin was altered: its SHA-256 is [0-9a-f]{64}, SHA256SUMS says [0-9a-f]{64}/);
    const before = await json<unknown[]>(stores.b, 'runs');
    const cli = await prognos(stores.b, 'runs', 'import', file, '--new-id');
    expect(cli.code).toBe(1);
    expect(cli.stderr).toMatch(/tampered\.zip: entry artifacts\/000\.bin was altered/);
    expect(await json<unknown[]>(stores.b, 'runs')).toEqual(before);
  });

  it('refuses a tampered run.json even when SHA256SUMS was recomputed, if the artifacts no longer match it', async () => {
    const files = honest();
    const run = JSON.parse(new TextDecoder().decode(files.get('run.json'))) as { artifacts: { sha256: string }[] };
    run.artifacts[0]!.sha256 = '0'.repeat(64);
    files.set('run.json', new TextEncoder().encode(JSON.stringify(run)));
    files.set('SHA256SUMS', sumsOf(files));
    expect(await refusal(write('relabelled.zip', [...files].map(([n, d]) => entry(n, d))))).toMatch(/does not match the size and SHA-256 recorded in run\.json/);
  });

  it('refuses path traversal, absolute names and an entry SHA256SUMS does not list', async () => {
    for (const name of ['../escape.txt', 'artifacts/../../escape.txt', '/etc/passwd', 'C:/x.txt', 'artifacts\\..\\x']) {
      const files = honest();
      const entries = [...files].map(([n, d]) => entry(n, d));
      entries.push(entry(name, new TextEncoder().encode('x')));
      expect(await refusal(write('traversal.zip', entries))).toMatch(/unsafe entry name/);
    }
    const files = honest();
    const entries = [...files].map(([n, d]) => entry(n, d));
    entries.push(entry('artifacts/extra.bin', new TextEncoder().encode('x')));
    expect(await refusal(write('unlisted.zip', entries))).toMatch(/entry artifacts\/extra\.bin is not listed in SHA256SUMS/);
  });

  it('refuses a symbolic link and a special file, even when listed', async () => {
    const files = honest();
    const target = new TextEncoder().encode('/etc/passwd');
    files.set('artifacts/009.bin', target);
    files.set('SHA256SUMS', sumsOf(files));
    const entries = [...files].map(([n, d]) => ({ ...entry(n, d), ...(n === 'artifacts/009.bin' ? { unixMode: 0o120777 } : {}) }));
    expect(await refusal(write('symlink.zip', entries))).toMatch(/artifacts\/009\.bin: symbolic links are not accepted/);
    const fifo = [...files].map(([n, d]) => ({ ...entry(n, d), ...(n === 'artifacts/009.bin' ? { unixMode: 0o010644 } : {}) }));
    expect(await refusal(write('fifo.zip', fifo))).toMatch(/artifacts\/009\.bin: not a regular file/);
  });

  it('stops a zip bomb as it inflates past its recorded size, and refuses an entry that declares too much', async () => {
    const files = honest();
    const zeros = new Uint8Array(32 * 1024 * 1024);
    const body = deflateRawSync(zeros, { level: 9 });
    // listed, with a plausible small size in its headers: the reader must stop once it passes that size
    files.set('artifacts/009.bin', new Uint8Array(1000));
    files.set('SHA256SUMS', sumsOf(files));
    const entries: RawEntry[] = [...files].map(([n, d]) => (n === 'artifacts/009.bin' ? { name: n, body, method: 8, crc: crc32(new Uint8Array(1000)), size: 1000 } : entry(n, d)));
    const t0 = performance.now();
    expect(await refusal(write('bomb.zip', entries))).toMatch(/artifacts\/009\.bin: inflates beyond its recorded size of 1000 bytes/);
    expect(performance.now() - t0).toBeLessThan(10_000);
    // honest headers: 32 MiB from a 32 KiB stream is within deflate's ratio, so the declared size decides
    const big: RawEntry[] = [...files].map(([n, d]) => (n === 'artifacts/009.bin' ? { name: n, body, method: 8, crc: crc32(zeros), size: 300 * 1024 * 1024 } : entry(n, d)));
    expect(await refusal(write('oversized.zip', big))).toMatch(/artifacts\/009\.bin: declares \d+ bytes, more than the \d+ a file may hold|more than deflate can expand/);
  });

  it('refuses a file that is not a run archive, naming it', async () => {
    const file = join(data, 'not-a-zip.zip');
    writeFileSync(file, 'hello');
    expect(await refusal(file)).toMatch(/attack\.zip: not a ZIP archive/);
    const cli = await prognos(stores.b, 'runs', 'import', join(data, 'missing.zip'));
    expect(cli.code).toBe(1);
    expect(cli.stderr).toMatch(/missing\.zip: no such file/);
  });
});

interface UnitScoreJson {
  unit: number;
  cycle: number;
  probability: number;
  alert: boolean;
  rul?: number;
  trueRul?: number;
}
interface FleetCompareJson extends Comparison {
  fleet: { datasetId: string; name: string; unitCount: number; hasTrueRul: boolean };
  disagreements: number;
  units: { unit: number; cycle: number; runs: { runId: string; probability: number; alert: boolean; rul: number | null }[]; maxDiff: number; rulMaxDiff: number | null; disagree: boolean; trueRul?: number }[];
}

describe('runs compare --fleet', () => {
  it('scores every unit of a test fleet with each run: the numbers of `prognos predict`, largest differences first, alert disagreements marked', async () => {
    // a small test fleet with its RUL file, and a third run that has RUL models (cheap: 10 trees, one seed)
    const testFleet = join(data, 'test-fleet.txt');
    const rulFile = join(data, 'test-rul.txt');
    await json(stores.a, 'synth', '--units', '8', '--seed', '11', '--out', testFleet, '--rul-out', rulFile);
    const fleetId = (await json<{ datasetId: string }>(stores.a, 'import', testFleet, '--rul', rulFile)).datasetId;
    const trainId = (await json<{ datasetId: string }[]>(stores.a, 'datasets')).find((d) => d.datasetId !== fleetId)!.datasetId;
    writeFileSync(join(data, 'rul.json'), JSON.stringify({ models: ['gbdt'], gbdt: { nEstimators: 5, maxDepth: 3 }, rul: { enabled: true, gbdt: { nEstimators: 10 }, seeds: 1 } }));
    const rulRun = (await json<{ runId: string }>(stores.a, 'train', '--dataset', trainId, '--config', join(data, 'rul.json'), '--experiment', 'depth study')).runId;

    const compared = [runs.base, runs.deep, rulRun];
    const c = await json<FleetCompareJson>(stores.a, 'runs', 'compare', ...compared, '--fleet', fleetId);
    expect(c.runs.map((r) => r.runId)).toEqual(compared);
    expect(c.fleet).toMatchObject({ datasetId: fleetId, unitCount: 8, hasTrueRul: true });
    expect(c.units).toHaveLength(8);

    const predicted = await Promise.all(
      compared.map(async (runId) => new Map((await json<{ units: UnitScoreJson[] }>(stores.a, 'predict', '--run', runId, '--data', testFleet, '--rul', rulFile)).units.map((u) => [u.unit, u]))),
    );
    for (const u of c.units) {
      const answers = predicted.map((p) => p.get(u.unit)!);
      expect(u.cycle).toBe(answers[0]!.cycle);
      // exactly predict's numbers, run by run
      expect(u.runs).toEqual(answers.map((a, i) => ({ runId: compared[i], probability: a.probability, alert: a.alert, rul: a.rul ?? null })));
      expect(u.trueRul).toBe(answers[0]!.trueRul);
      const ps = answers.map((a) => a.probability);
      expect(u.maxDiff).toBe(Math.max(...ps) - Math.min(...ps));
      expect(u.disagree).toBe(new Set(answers.map((a) => a.alert)).size > 1);
    }
    // only the third run predicts RUL: one value, so no RUL spread
    expect(c.units.every((u) => u.runs[2]!.rul !== null && u.runs[0]!.rul === null && u.rulMaxDiff === null)).toBe(true);
    // the largest differences first, ties by unit
    for (let i = 1; i < c.units.length; i++) {
      const [a, b] = [c.units[i - 1]!, c.units[i]!];
      expect(a.maxDiff > b.maxDiff || (a.maxDiff === b.maxDiff && a.unit < b.unit)).toBe(true);
    }
    expect(c.disagreements).toBe(c.units.filter((u) => u.disagree).length);
    // the metric comparison is still there
    expect(c.configDiff.map((d) => d.path)).toContain('gbdt.maxDepth');

    const text = (await prognos(stores.a, 'runs', 'compare', ...compared, '--fleet', fleetId)).stdout;
    expect(text).toMatch(new RegExp(`on fleet test-fleet\\.txt \\(${fleetId}, 8 units\\): the runs disagree on the alert for ${c.disagreements} unit\\(s\\)`));
    expect(text).toMatch(/true RUL/);
  }, 300_000);

  it('names --fleet when the dataset is unknown or its value missing, and names an unknown run', async () => {
    const unknown = await prognos(stores.a, 'runs', 'compare', runs.base, runs.deep, '--fleet', 'ds_nowhere');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/--fleet: no dataset ds_nowhere/);
    const empty = await prognos(stores.a, 'runs', 'compare', runs.base, runs.deep, '--fleet', ' ');
    expect(empty.code).toBe(1);
    expect(empty.stderr).toMatch(/--fleet needs a dataset id/);
    const missing = await prognos(stores.a, 'runs', 'compare', runs.base, runs.deep, '--fleet');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/--fleet needs a value/);
    const fleetId = (await json<{ datasetId: string }[]>(stores.a, 'datasets'))[0]!.datasetId;
    const noRun = await prognos(stores.a, 'runs', 'compare', runs.base, 'run_nowhere', '--fleet', fleetId);
    expect(noRun.code).toBe(1);
    expect(noRun.stderr).toMatch(/No run run_nowhere/);
  });
});
