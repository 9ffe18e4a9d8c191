/** Requests of the regimes worker (a short call): detect the operating regimes of a stored dataset. */
import type { WireTable } from './import-protocol';

export interface RegimesRequest {
  readonly table: WireTable;
}
