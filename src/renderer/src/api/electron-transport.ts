import type { PrognosApi } from '../../../shared/contract';
import type { Transport } from './transport';

/** The shape of `window.prognos` as exposed by the preload. */
export type PrognosBridge = PrognosApi & { pathForFile(file: File): string };

/** The Electron bridge (typed by the preload's declaration), when the page runs inside the desktop app. */
export function findBridge(): PrognosBridge | undefined {
  const candidate: PrognosBridge | undefined = window.prognos;
  return typeof candidate === 'object' ? candidate : undefined;
}

export function createElectronTransport(bridge: PrognosBridge): Transport {
  return {
    mode: 'electron',
    api: bridge,
    sourceForFile(file) {
      return Promise.resolve({ kind: 'path', path: bridge.pathForFile(file) });
    },
  };
}
