/**
 * `prognos import` loads the import's services only (import-services.ts): its main thread runs
 * beside the parsing worker on the same cores, so the other services, and onnxruntime behind them,
 * must not load there. A require hook in the CLI's process lists the files its main thread loaded.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { CLI, CMAPSS, requireBuild, tempDir } from '../../helpers/paths';

const HOOK = `
const Module = require('node:module');
const { isMainThread } = require('node:worker_threads');
const { writeFileSync } = require('node:fs');
const loaded = new Set();
const load = Module._load;
Module._load = function (request, parent, isMain) {
  const exported = load.apply(this, arguments);
  try { loaded.add(Module._resolveFilename(request, parent, isMain)); } catch {}
  return exported;
};
process.on('exit', () => { if (isMainThread) writeFileSync(process.env.LOADED_LIST, [...loaded].join('\\n')); });
`;

let dir: string;
beforeAll(() => {
  requireBuild();
  dir = tempDir();
  writeFileSync(join(dir, 'hook.cjs'), HOOK);
});

function importLoading(...args: string[]): { stdout: string; loaded: string[] } {
  const list = join(dir, 'loaded.txt');
  const r = spawnSync(process.execPath, ['-r', join(dir, 'hook.cjs'), CLI, ...args, '--store', join(dir, 'store'), '--json'], {
    encoding: 'utf8',
    env: { ...process.env, PROGNOS_HOME: '', LOADED_LIST: list },
  });
  if (r.status !== 0) throw new Error(`prognos ${args.join(' ')} failed: ${r.stderr}`);
  return { stdout: r.stdout, loaded: readFileSync(list, 'utf8').split('\n') };
}

describe('prognos import', () => {
  it('imports train_FD001 without loading onnxruntime or the other services on its main thread', () => {
    const { stdout, loaded } = importLoading('import', join(CMAPSS, 'train_FD001.txt'));
    expect(JSON.parse(stdout)).toMatchObject({ rows: 20631, units: 100 });
    expect(loaded.some((f) => f.includes('better-sqlite3'))).toBe(true); // the hook saw the store load
    expect(loaded.filter((f) => /onnxruntime|[\\/]context-[^\\/]*\.js$/.test(f))).toEqual([]);
  });
});
