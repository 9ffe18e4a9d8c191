/**
 * POST /predict against the reference: test_FD001's 100 unit histories through the server equal
 * `prognos predict --bundle B --data test_FD001.txt --json` within 1e-6 in every field, the same
 * scores come out of the KServe v2 `prognos` model and the feature-store path, and the cache answers
 * the second identical request (X-Prognos-Cache: hit) with the same body.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryFeatureStore } from '../../../src/main/serve-model/memory-feature-store';
import { CLI, CMAPSS, requireBuild, tempDir } from '../../helpers/paths';
import { DEMO_BUNDLE, postJson, startServer, unitsOf, type Started, type Unit } from './serve-helpers';

interface Prediction {
  unit: number;
  cycle: number;
  probability: number;
  parts: { gbdt: number; lstm?: number };
  alert: boolean;
  rul?: number;
  rulLow?: number;
  rulHigh?: number;
}

const TEST_FILE = join(CMAPSS, 'test_FD001.txt');
let s: Started;
let units: Unit[];
let reference: { threshold: number; units: Prediction[] };

function cliPredict(): Promise<{ threshold: number; units: Prediction[] }> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [CLI, 'predict', '--bundle', DEMO_BUNDLE, '--data', TEST_FILE, '--json', '--store', tempDir()], { maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
      if (err !== null) reject(new Error(`${err.message}: ${stderr}`));
      else resolve(JSON.parse(stdout) as { threshold: number; units: Prediction[] });
    });
  });
}

function expectClose(got: Prediction, want: Prediction): void {
  expect(got.unit).toBe(want.unit);
  expect(got.cycle).toBe(want.cycle);
  expect(got.alert).toBe(want.alert);
  expect(Math.abs(got.probability - want.probability)).toBeLessThanOrEqual(1e-6);
  expect(Math.abs(got.parts.gbdt - want.parts.gbdt)).toBeLessThanOrEqual(1e-6);
  expect(Math.abs(got.parts.lstm! - want.parts.lstm!)).toBeLessThanOrEqual(1e-6);
  for (const k of ['rul', 'rulLow', 'rulHigh'] as const) {
    expect(typeof want[k]).toBe('number');
    expect(Math.abs(got[k]! - want[k]!)).toBeLessThanOrEqual(1e-6);
  }
}

beforeAll(async () => {
  requireBuild();
  units = unitsOf(TEST_FILE);
  reference = await cliPredict();
  s = await startServer({ featureStore: new MemoryFeatureStore() });
});

afterAll(async () => {
  await s?.stop();
});

describe('POST /predict', () => {
  it("scores test_FD001's 100 units as prognos predict does, within 1e-6 in every field, in request order", async () => {
    expect(units).toHaveLength(100);
    expect(reference.units).toHaveLength(100);
    const r = await postJson(`${s.url}/predict`, { units });
    expect(r.status).toBe(200);
    expect(r.headers.get('x-prognos-cache')).toBe('miss');
    const body = r.json as { units: Prediction[]; threshold: number; runId: string };
    expect(body.threshold).toBe(reference.threshold);
    expect(body.runId).toBe(s.server.model.manifest.runId);
    expect(body.units.map((u) => u.unit)).toEqual(units.map((u) => u.unit));
    const want = new Map(reference.units.map((u) => [u.unit, u]));
    for (const got of body.units) expectClose(got, want.get(got.unit)!);
    const diffs = body.units.flatMap((g) => {
      const w = want.get(g.unit)!;
      return [g.probability - w.probability, g.parts.gbdt - w.parts.gbdt, g.parts.lstm! - w.parts.lstm!, g.rul! - w.rul!, g.rulLow! - w.rulLow!, g.rulHigh! - w.rulHigh!].map(Math.abs);
    });
    console.log(`parity: ${body.units.length} units, largest difference from prognos predict ${Math.max(...diffs)}`);
    // the response has exactly the fields openapi.json's UnitPrediction names
    expect(Object.keys(body.units[0]!).sort()).toEqual(['alert', 'cycle', 'parts', 'probability', 'rul', 'rulHigh', 'rulLow', 'unit']);
    expect(body.units.some((u) => u.alert)).toBe(true);
  });

  it('answers the same input from the cache, byte for byte, and logs every prediction with its cache flag', async () => {
    const some = units.slice(0, 5);
    const a = await fetch(`${s.url}/predict`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ units: some }) });
    const b = await fetch(`${s.url}/predict`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ units: some }) });
    expect(a.headers.get('x-prognos-cache')).toBe('miss');
    expect(b.headers.get('x-prognos-cache')).toBe('hit');
    expect(await b.text()).toBe(await a.text());
    // the same rows with keys in another order are the same input
    const reordered = some.map((u) => ({ rows: u.rows.map((r) => Object.fromEntries(Object.entries(r).reverse())), unit: u.unit }));
    expect((await postJson(`${s.url}/predict`, { units: reordered })).headers.get('x-prognos-cache')).toBe('hit');
    // one changed reading is another input
    const changed = structuredClone(some);
    changed[0]!.rows.at(-1)!.s2! += 0.01;
    expect((await postJson(`${s.url}/predict`, { units: changed })).headers.get('x-prognos-cache')).toBe('miss');
    await s.log.flush();
    // 100 + 4 × 5 predictions so far, 10 of them from the cache
    expect(s.log.count()).toBe(120);
  });

  it('gives the same scores through the KServe v2 `prognos` model', async () => {
    const cols = s.server.model.manifest.rawInput.historyColumns;
    const some = units.slice(10, 14);
    const rows = some.flatMap((u) => u.rows.map((r) => ({ unit: u.unit, r })));
    const meta = (await (await fetch(`${s.url}/v2/models/prognos`)).json()) as { inputs: { name: string; shape: number[] }[]; parameters: { columns: string[] } };
    expect(meta.parameters.columns).toEqual(cols);
    expect(meta.inputs.map((i) => i.name)).toEqual(['unit', 'cycle', 'history']);
    const r = await postJson(`${s.url}/v2/models/prognos/infer`, {
      id: 'req-1',
      inputs: [
        { name: 'unit', datatype: 'INT32', shape: [rows.length], data: rows.map((x) => x.unit) },
        { name: 'cycle', datatype: 'INT32', shape: [rows.length], data: rows.map((x) => x.r.cycle) },
        { name: 'history', datatype: 'FP64', shape: [rows.length, cols.length], data: rows.map((x) => cols.map((c) => x.r[c])) },
      ],
    });
    expect(r.status).toBe(200);
    expect(r.json.id).toBe('req-1');
    const out = new Map((r.json.outputs as { name: string; shape: number[]; data: number[] }[]).map((o) => [o.name, o]));
    expect(out.get('probability')!.shape).toEqual([4]);
    const want = new Map(reference.units.map((u) => [u.unit, u]));
    some.forEach((u, k) => {
      expect(out.get('unit')!.data[k]).toBe(u.unit);
      expectClose(
        {
          unit: out.get('unit')!.data[k]!,
          cycle: out.get('cycle')!.data[k]!,
          probability: out.get('probability')!.data[k]!,
          parts: { gbdt: out.get('gbdt')!.data[k]!, lstm: out.get('lstm')!.data[k]! },
          alert: out.get('alert')!.data[k] as unknown as boolean,
          rul: out.get('rul')!.data[k]!,
          rulLow: out.get('rul_low')!.data[k]!,
          rulHigh: out.get('rul_high')!.data[k]!,
        },
        want.get(u.unit)!,
      );
    });
  });

  it('runs the raw gbdt model on the KServe v2 route with the tensors the manifest describes', async () => {
    const meta = (await (await fetch(`${s.url}/v2/models/gbdt`)).json()) as { inputs: { name: string; datatype: string; shape: number[] }[]; outputs: { name: string }[] };
    expect(meta.inputs[0]).toMatchObject({ name: 'features', datatype: 'FP32' });
    const F = meta.inputs[0]!.shape[1]!;
    const r = await postJson(`${s.url}/v2/models/gbdt/infer`, { inputs: [{ name: 'features', datatype: 'FP32', shape: [2, F], data: new Array(2 * F).fill(0) }] });
    expect(r.status).toBe(200);
    const probs = (r.json.outputs as { name: string; shape: number[]; data: number[] }[]).find((o) => o.name === 'probabilities')!;
    expect(probs.shape).toEqual([2, 2]);
    expect(probs.data[0]! + probs.data[1]!).toBeCloseTo(1, 5);
    const wrong = await postJson(`${s.url}/v2/models/gbdt/infer`, { inputs: [{ name: 'features', datatype: 'FP32', shape: [1, F + 1], data: new Array(F + 1).fill(0) }] });
    expect(wrong.status).toBe(400);
    expect(String(wrong.json.error)).toMatch(/inputs\[0\]\.shape/);
    expect((await fetch(`${s.url}/v2/models/nope`)).status).toBe(404);
  });

  it('scores a unit from the feature store as POST /predict scores the same rows', async () => {
    const u = units[20]!;
    const half = Math.floor(u.rows.length / 2);
    const first = await postJson(`${s.url}/units/${u.unit}/cycles`, { rows: u.rows.slice(0, half) });
    expect(first.status).toBe(200);
    expect(first.json).toMatchObject({ unit: u.unit, appended: half, rows: half, lastCycle: u.rows[half - 1]!.cycle });
    // a cycle already stored is refused, naming the row; nothing is appended
    const again = await postJson(`${s.url}/units/${u.unit}/cycles`, { rows: u.rows.slice(half - 1) });
    expect(again.status).toBe(422);
    expect(again.json.error).toMatchObject({ code: 'INVALID_INPUT', field: 'rows[0].cycle' });
    expect((await postJson(`${s.url}/units/${u.unit}/cycles`, { rows: u.rows.slice(half) })).status).toBe(200);
    const risk = await fetch(`${s.url}/units/${u.unit}/risk`);
    expect(risk.status).toBe(200);
    const got = (await risk.json()) as Prediction & { historyRows: number };
    expect(got.historyRows).toBe(u.rows.length);
    expectClose(got, reference.units.find((x) => x.unit === u.unit)!);
    expect((await fetch(`${s.url}/units/${u.unit}/risk`)).headers.get('x-prognos-cache')).toBe('hit');
    const unknown = await fetch(`${s.url}/units/999999/risk`);
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as { error: { field: string } }).error.field).toBe('unit');
  });

  it('reports readiness, the model and the metrics', async () => {
    expect((await fetch(`${s.url}/healthz`)).status).toBe(200);
    expect(await (await fetch(`${s.url}/readyz`)).json()).toMatchObject({ ready: true });
    const model = (await (await fetch(`${s.url}/model`)).json()) as Record<string, unknown>;
    expect(model).toMatchObject({ runId: s.server.model.manifest.runId, bundleSha256: s.server.model.manifestSha256, signature: { verdict: 'unsigned' } });
    const metrics = await (await fetch(`${s.url}/metrics`)).text();
    expect(metrics).toMatch(/prognos_http_requests_total\{route="\/predict",method="POST",status="200"\} \d+/);
    expect(metrics).toMatch(/prognos_cache_requests_total\{result="hit"\} [1-9]/);
    expect(metrics).toMatch(/prognos_feature_store_units 1\b/);
  });
});
