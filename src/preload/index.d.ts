import type { PrognosApi } from '../shared/contract';

declare global {
  interface Window {
    /** Present in the Electron app; absent in browser mode. */
    prognos?: PrognosApi;
  }
}
export {};
