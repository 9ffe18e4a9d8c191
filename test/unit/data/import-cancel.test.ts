import { describe, expect, it } from 'vitest';
import { PrognosError } from '../../../src/shared/errors';
import { parseFleetFile } from '../../../src/main/core/data/import-file';
import { cmapss } from './paths';

describe('parseFleetFile cancellation', () => {
  it('rejects with CANCELLED when aborted mid-file, at the next chunk', async () => {
    const controller = new AbortController();
    let calls = 0;
    const promise = parseFleetFile(cmapss('train_FD001.txt'), {
      chunkBytes: 64 * 1024,
      signal: controller.signal,
      onProgress: (fraction) => {
        calls++;
        if (fraction > 0.2) controller.abort();
      },
    });
    await expect(promise).rejects.toBeInstanceOf(PrognosError);
    await expect(promise).rejects.toMatchObject({ code: 'CANCELLED' });
    // the file has ~55 chunks of 64 KiB; it stopped soon after 20 %
    expect(calls).toBeLessThan(20);
  });

  it('rejects with CANCELLED when the signal is already aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(parseFleetFile(cmapss('train_FD001.txt'), { signal: controller.signal })).rejects.toMatchObject({
      code: 'CANCELLED',
    });
  });

  it('rejects promptly when aborted from outside while reading', async () => {
    const controller = new AbortController();
    const promise = parseFleetFile(cmapss('train_FD001.txt'), { chunkBytes: 16 * 1024, signal: controller.signal });
    setTimeout(() => controller.abort(), 1);
    await expect(promise).rejects.toMatchObject({ code: 'CANCELLED' });
  });
});
