/**
 * The LSTM on real data: backend selection takes tfjs-node when it is installed and loads, else falls
 * back to wasm and says why; a short training on FD001 windows lowers the validation loss and ranks the validation
 * windows well; a trained model survives serialize → load.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { loadFd001, type Fd001 } from '../../../bench/lstm/fd001';
import { rocAuc } from '../../../src/main/core/eval/metrics';
import { LstmModel, meanBce, selectBackendDetailed, trainLstm } from '../../../src/main/core/models/lstm';
import { expectedDefaultBackend } from '../../helpers/tfjs-backend';

let fd: Fd001;

beforeAll(async () => {
  fd = await loadFd001({ rank: false });
});

describe('backend selection', () => {
  it('uses tfjs-node when it loads, else falls back to wasm and says why', async () => {
    const expected = expectedDefaultBackend();
    console.log(`expected backend: ${expected.backend} (${expected.reason})`);
    const choice = await selectBackendDetailed();
    expect(choice.backend).toBe(expected.backend);
    if (expected.backend === 'wasm') expect(choice.notes.join(' ')).toMatch(/tfjs-node unavailable/);
    else expect(choice.notes).toEqual([]);
  });
});

describe('training on FD001 windows', () => {
  it('lowers the validation loss in two epochs', async () => {
    expect(fd.train.n).toBeGreaterThan(14_000);
    expect(fd.train.features).toBe(40);
    expect(fd.train.length).toBe(30);
    const untrained = LstmModel.create(
      { features: 40, length: 30, units1: 64, units2: 32, attentionUnits: 32, dropout: 0.2 },
      42,
    );
    const before = meanBce(untrained.predict(fd.valid), fd.valid.labels);
    untrained.dispose();
    const r = await trainLstm(fd.train, fd.valid, { epochs: 2, patience: 0 });
    expect(r.backend).toBe(expectedDefaultBackend().backend);
    expect(r.history).toHaveLength(2);
    expect(r.bestValLoss).toBeLessThan(before * 0.5);
    const p = r.model.predict(fd.valid);
    expect(rocAuc(p, fd.valid.labels)!).toBeGreaterThan(0.95);
    const { json, weights } = r.model.serialize();
    expect(json.backend).toBe(r.backend);
    const back = LstmModel.load(json, weights);
    expect(Array.from(back.predict(fd.valid))).toEqual(Array.from(p));
    back.dispose();
    r.model.dispose();
  });
});
