/** Worker thread: detects the operating regimes of a dataset stored before detection existed. */
import type { DatasetRegimes } from '../../shared/schemas';
import { detectRegimes } from '../core/data/regimes';
import { fromWire } from './import-protocol';
import type { RegimesRequest } from './regimes-protocol';
import { serveJob } from './serve-job';

serveJob<RegimesRequest, DatasetRegimes>('regimes-worker', ({ table }) => Promise.resolve({ value: detectRegimes(fromWire(table)) }));
