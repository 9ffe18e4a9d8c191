/**
 * Where the RUL error sits on held-out units: the mean error (predicted − min(RUL, cap)) of cached
 * `choose-rul-recipe.ts` predictions on the test-split units of train_FD001, by band of true RUL and
 * by cycle (age), over every row with a full history window (not weighted as if cut).
 *
 *   npx vite-node scripts/rul-bias-by-band.ts --cache DIR [--seeds 42,1,…] [--gbdt gbdt] [--heads lstm,lstm seed+1,lstm seed+2] [--weight 0.7]
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseFleetFile } from '../src/main/core/data/import-file';
import { rulPerRow } from '../src/main/core/labels';

const CMAPSS = resolve(__dirname, '..', '..', 'shared', 'data', 'cmapss');
const CAP = 125;
const WINDOW = 30;
function option(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return (i >= 0 ? process.argv[i + 1] : undefined) ?? fallback;
}

interface Cached {
  testAll: number[];
  models: Record<string, { test: number[] }>;
}

async function main(): Promise<void> {
  const cache = resolve(option('cache', ''));
  const seeds = option('seeds', '42,1,2,3,4,5,6,7').split(',').map(Number);
  const gname = option('gbdt', 'gbdt');
  const heads = option('heads', 'lstm,lstm seed+1,lstm seed+2').split(',');
  const w = Number(option('weight', '0.7'));
  const { table } = await parseFleetFile(join(CMAPSS, 'train_FD001.txt'));
  const rul = rulPerRow(table);
  const bands: [number, number][] = [[0, 30], [30, 60], [60, 90], [90, 110], [110, 125], [125, 150], [150, Infinity]];
  const ages: [number, number][] = [[0, 60], [60, 100], [100, 150], [150, Infinity]];
  type Acc = { n: number; g: number; h: number; e: number; se: number };
  const acc = new Map<string, Acc>();
  const add = (key: string, g: number, h: number, e: number): void => {
    const o = acc.get(key) ?? { n: 0, g: 0, h: 0, e: 0, se: 0 };
    o.n++;
    o.g += g;
    o.h += h;
    o.e += e;
    o.se += e * e;
    acc.set(key, o);
  };
  const label = ([a, z]: [number, number]): string => (z === Infinity ? `≥ ${a}` : `${a}–${z - 1}`);
  for (const seed of seeds) {
    const c = JSON.parse(readFileSync(join(cache, `seed-${seed}.json`), 'utf8')) as Cached;
    const g = c.models[gname]!.test;
    const hs = heads.map((h) => c.models[h]!.test);
    c.testAll.forEach((r, i) => {
      if (table.cycle[r]! < WINDOW) return;
      const t = Math.min(rul[r]!, CAP);
      const h = hs.reduce((s, p) => s + p[i]!, 0) / hs.length;
      const e = w * g[i]! + (1 - w) * h;
      const band = label(bands.find(([a, z]) => rul[r]! >= a && rul[r]! < z)!);
      const age = label(ages.find(([a, z]) => table.cycle[r]! >= a && table.cycle[r]! < z)!);
      add(`${band}|all`, g[i]! - t, h - t, e - t);
      add(`${band}|${age}`, g[i]! - t, h - t, e - t);
    });
  }
  process.stdout.write(`seeds ${seeds.join(', ')}; test-split rows with a full window; error = predicted − min(RUL, ${CAP}); blend ${w} · ${gname} + ${(1 - w).toFixed(2)} · mean(${heads.join(', ')})\n`);
  process.stdout.write('| true RUL | cycle | rows | mean error, GBDT | mean error, head | mean error, blend | RMSE, blend |\n| --- | --- | --- | --- | --- | --- | --- |\n');
  const order = (k: string): number => bands.findIndex((b) => label(b) === k.split('|')[0]) * 10 + (k.endsWith('|all') ? -1 : ages.findIndex((a) => label(a) === k.split('|')[1]));
  for (const [k, o] of [...acc].sort((a, b) => order(a[0]) - order(b[0]))) {
    const [band, age] = k.split('|');
    process.stdout.write(`| ${band} | ${age} | ${o.n} | ${(o.g / o.n).toFixed(1)} | ${(o.h / o.n).toFixed(1)} | ${(o.e / o.n).toFixed(1)} | ${Math.sqrt(o.se / o.n).toFixed(1)} |\n`);
  }
}
void main();
