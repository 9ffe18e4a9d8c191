import { describe, expect, it } from 'vitest';
import { CHANNELS, methodName } from '../../../src/shared/contract';
import { buildBridge } from '../../../src/preload/bridge';
import { PrognosError, type Result } from '../../../src/shared/errors';

function fakeBridge(reply: Result<unknown> = { ok: true, value: 42 }) {
  const calls: [string, unknown][] = [];
  const listeners = new Set<(e: string, p: unknown) => void>();
  const api = buildBridge({
    invoke: (channel, input) => {
      calls.push([channel, input]);
      return Promise.resolve(reply);
    },
    subscribe: (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
  });
  return { api, calls, listeners };
}

describe('window.prognos', () => {
  it('exposes exactly one method per contract channel and `on` — nothing generic, no file paths', () => {
    const { api } = fakeBridge();
    const expected = [...CHANNELS.map((c) => methodName(c)), 'on'].sort();
    expect(Object.keys(api).sort()).toEqual(expected);
    for (const forbidden of ['invoke', 'send', 'ipcRenderer', 'require', 'process', 'pathForFile', 'webUtils']) expect(api).not.toHaveProperty(forbidden);
  });

  it('is frozen', () => {
    const { api } = fakeBridge();
    expect(Object.isFrozen(api)).toBe(true);
    expect(() => {
      (api as unknown as Record<string, unknown>).datasetsList = () => 1;
    }).toThrow();
  });

  it('routes a method to its channel and unwraps values', async () => {
    const { api, calls } = fakeBridge();
    await expect(api.datasetsGet({ datasetId: 'ds_1' })).resolves.toBe(42);
    expect(calls).toEqual([['datasets:get', { datasetId: 'ds_1' }]]);
  });

  it('rethrows error values as PrognosError with their code', async () => {
    const { api } = fakeBridge({ ok: false, error: { code: 'NOT_FOUND', message: 'No dataset ds_9.' } });
    const err = await api.datasetsGet({ datasetId: 'ds_9' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PrognosError);
    expect((err as PrognosError).code).toBe('NOT_FOUND');
  });

  it('subscriptions deliver only their event and return an unsubscribe', () => {
    const { api, listeners } = fakeBridge();
    const got: unknown[] = [];
    const off = api.on('job:progress', (p) => got.push(p));
    for (const l of listeners) {
      l('job:progress', { a: 1 });
      l('job:finished', { b: 2 });
    }
    expect(got).toEqual([{ a: 1 }]);
    off();
    expect(listeners.size).toBe(0);
    expect(() => api.on('nope' as 'job:progress', () => undefined)).toThrow(/Unknown event/);
  });
});
