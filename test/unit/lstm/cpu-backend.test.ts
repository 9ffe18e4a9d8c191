/**
 * Without the wasm backend the same model runs on tfjs's cpu backend through the composite path
 * (standard tfjs ops, the path tfjs-node takes as well), on one thread.
 */
import { describe, expect, it } from 'vitest';
import { activeBackend, lstmRuntime, selectBackendDetailed, trainLstm } from '../../../src/main/core/models/lstm';
import { toyWindows } from './helpers';

describe('cpu backend', () => {
  it('trains and predicts with the composite ops', async () => {
    const choice = await selectBackendDetailed({ prefer: 'cpu' });
    expect(choice.backend).toBe('cpu');
    expect(activeBackend()).toBe('cpu');
    expect(lstmRuntime().fused()).toBe(false);
    const train = toyWindows(48, 5, 2, 7);
    const valid = toyWindows(24, 5, 2, 8);
    const r = await trainLstm(
      train,
      valid,
      { units1: 4, units2: 3, attentionUnits: 2, batchSize: 16, epochs: 2, seed: 1 },
      { backend: 'cpu' },
    );
    expect(r.backend).toBe('cpu');
    expect(r.kernels).toBe('composite');
    expect(r.threads).toBe(1);
    expect(r.threadNote).toMatch(/cpu/);
    const p = r.model.predict(valid);
    expect(p.length).toBe(24);
    for (const v of p) expect(Number.isFinite(v)).toBe(true);
    r.model.dispose();
  });
});
