/**
 * Worker thread entry: parses and validates a fleet file (or generates a synthetic fleet) off the
 * main thread. A large file's helper thread starts first (when the creator asked for it, see
 * import-range-prestart.ts); the work itself (import-worker-main.ts) loads after, in its own chunk.
 */
import { prestartHelper } from './import-range-prestart';

prestartHelper();
void import('./import-worker-main');
