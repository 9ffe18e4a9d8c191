import { createElectronTransport, findBridge } from './electron-transport';
import { createHttpTransport } from './http-transport';
import { takeSessionToken } from './token';
import type { Transport } from './transport';

export type { Transport, TransportMode, FileTransferProgress } from './transport';

/**
 * Picks the transport once at start-up: the Electron bridge when the preload exposed
 * `window.prognos`, otherwise browser mode over HTTP with the page's token.
 */
export function createTransport(): Transport {
  const bridge = findBridge();
  if (bridge !== undefined) return createElectronTransport(bridge);
  return createHttpTransport(takeSessionToken());
}
