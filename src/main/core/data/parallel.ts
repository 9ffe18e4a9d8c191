/** Files from this size up are parsed in two parts at once when a second thread is offered (see `parseFleetFile`). */
export const PARALLEL_MIN_BYTES = 32 * 1024 * 1024;
