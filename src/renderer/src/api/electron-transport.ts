import type { PrognosApi } from '../../../shared/contract';
import { PrognosError } from '../../../shared/errors';
import type { Transport } from './transport';

/** The shape of `window.prognos` as exposed by the preload. */
export type PrognosBridge = PrognosApi;

/** The Electron bridge (typed by the preload's declaration), when the page runs inside the desktop app. */
export function findBridge(): PrognosBridge | undefined {
  const candidate: PrognosBridge | undefined = window.prognos;
  return typeof candidate === 'object' ? candidate : undefined;
}

const CHUNK_BYTES = 4 * 1024 * 1024;

export function createElectronTransport(bridge: PrognosBridge): Transport {
  return {
    mode: 'electron',
    api: bridge,
    /**
     * A picked or dropped file is sent as bytes, as in browser mode: main never takes a path from the
     * page, so a page that misbehaves cannot make main read a file the user did not give it.
     */
    async sourceForFile(file, options) {
      let uploadId: string | undefined;
      let offset = 0;
      do {
        if (options?.signal?.aborted === true) throw new PrognosError('CANCELLED', 'Upload cancelled.');
        const end = Math.min(file.size, offset + CHUNK_BYTES);
        const data = new Uint8Array(await file.slice(offset, end).arrayBuffer());
        const done = end >= file.size;
        ({ uploadId } = await bridge.uploadsChunk({
          ...(uploadId === undefined ? {} : { uploadId }),
          fileName: file.name,
          data,
          done,
        }));
        offset = end;
        options?.onProgress?.({ loaded: offset, total: file.size });
      } while (offset < file.size);
      if (uploadId === undefined) throw new PrognosError('INTERNAL', 'The upload did not start.');
      return { kind: 'upload', uploadId, fileName: file.name };
    },
    async saveBundle(bundleId) {
      const r = await bridge.bundlesSave({ bundleId });
      return r === null ? null : { fileName: r.path.split(/[\\/]/).pop() ?? r.path, path: r.path, bytes: r.bytes };
    },
  };
}
