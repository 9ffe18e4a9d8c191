/**
 * The prediction log's local spool survives the ways a process dies: a last line cut at any byte is
 * dropped with a warning (never a crash, never glued to the next record), a garbled middle line is
 * skipped and the file kept aside, and a second process cannot share the directory.
 */
import { appendFileSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { PrognosError } from '../../../src/shared/errors';
import { keyed, PredictionSpool, SPOOL_FILE } from '../../../src/main/serve-model/prediction-spool';
import type { PredictionRecord } from '../../../src/main/serve-model/types';
import { tempDir } from '../../helpers/paths';

function rec(cycle: number): PredictionRecord {
  return {
    time: new Date(Date.UTC(2026, 0, 1, 0, 0, cycle)).toISOString(),
    bundleSha256: 'a'.repeat(64),
    unit: 7,
    cycle,
    probability: cycle / 1000,
    gbdt: 0.25,
    lstm: null,
    rul: 80.5,
    rulLow: 60,
    rulHigh: 101,
    alert: cycle % 2 === 0,
    latencyMs: 1.5,
    cacheHit: false,
    route: '/predict',
    keyId: null,
  };
}

const dirs: string[] = [];
function dir(): string {
  const d = tempDir('prognos-spool-');
  dirs.push(d);
  return d;
}
afterEach(() => {
  vi.restoreAllMocks();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function captureStderr(): string[] {
  const lines: string[] = [];
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    lines.push(String(chunk));
    return true;
  });
  return lines;
}

describe('prediction spool', () => {
  it('keeps records in order with their keys across reopen', async () => {
    const d = dir();
    const s = await PredictionSpool.open(d);
    const a = keyed([rec(1), rec(2)]);
    const b = keyed([rec(3)]);
    await s.append(a);
    await s.append(b);
    expect(s.count).toBe(3);
    await s.release();
    const again = await PredictionSpool.open(d);
    expect(again.count).toBe(3);
    expect(await again.read()).toEqual([...a, ...b]);
    await again.clear();
    expect(again.count).toBe(0);
    expect(statSync(join(d, SPOOL_FILE)).size).toBe(0);
    await again.release();
  });

  it('drops a last line cut at any byte with a warning, and the next append is intact', async () => {
    const d = dir();
    const s = await PredictionSpool.open(d);
    const good = keyed([rec(1), rec(2)]);
    await s.append(good);
    await s.release();
    const file = join(d, SPOOL_FILE);
    const whole = readFileSync(file);
    const third = JSON.stringify(keyed([rec(3)]).map((e) => ({ id: e.id, record: e.record }))[0]);
    // every cut of the third line short of its newline: what a process killed mid-write leaves
    for (let cut = 1; cut <= third.length; cut += 7) {
      writeFileSync(file, whole);
      appendFileSync(file, third.slice(0, cut));
      const err = captureStderr();
      const reopened = await PredictionSpool.open(d);
      vi.restoreAllMocks();
      expect(reopened.count).toBe(2);
      expect(err.join('')).toMatch(/line 3 is incomplete/);
      const next = keyed([rec(4)]);
      await reopened.append(next);
      expect(await reopened.read()).toEqual([...good, ...next]);
      await reopened.release();
    }
  });

  it('skips a garbled middle line with a warning naming it and keeps the file aside on clear', async () => {
    const d = dir();
    const s = await PredictionSpool.open(d);
    const first = keyed([rec(1)]);
    await s.append(first);
    appendFileSync(join(d, SPOOL_FILE), '{"id":"not-a-uuid","record":{}}\nnot json at all\n');
    const last = keyed([rec(2)]);
    await s.append(last);
    const err = captureStderr();
    expect(await s.read()).toEqual([...first, ...last]);
    expect(err.join('')).toMatch(/line 2 is not a spooled prediction/);
    expect(err.join('')).toMatch(/line 3 is not a spooled prediction/);
    await s.clear();
    vi.restoreAllMocks();
    const aside = readdirSync(d).filter((f) => f.includes('corrupt'));
    expect(aside).toHaveLength(1);
    expect(readFileSync(join(d, aside[0]!), 'utf8')).toContain('not json at all');
    await s.release();
  });

  it('refuses a directory another live process holds, and takes over a dead one', async () => {
    const d = dir();
    const s = await PredictionSpool.open(d);
    await expect(PredictionSpool.open(d)).rejects.toSatisfy((e: unknown) => e instanceof PrognosError && e.code === 'CONFLICT' && /in use by process/.test(e.message));
    await s.release();
    // a lock whose process is gone (pid far above pid_max)
    writeFileSync(join(d, 'spool.lock'), '4194999');
    const t = await PredictionSpool.open(d);
    expect(t.count).toBe(0);
    await t.release();
  });
});
