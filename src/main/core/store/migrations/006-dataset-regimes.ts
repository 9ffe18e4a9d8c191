/**
 * 006 — the operating regimes detected in a dataset's settings.
 *
 * `datasets.regimes_json` holds the detection as JSON (k, the settings used and their scale, the
 * centroids in the settings' own units, rows per regime, the silhouette per k, the method). Datasets
 * imported before this migration keep NULL (nothing of theirs is rewritten) until they are shown,
 * when their regimes are detected in a worker and recorded.
 */
import type { Migration } from './types';

export const migration006: Migration = {
  version: 6,
  name: 'dataset-regimes',
  up(db) {
    db.exec(`ALTER TABLE datasets ADD COLUMN regimes_json TEXT CHECK (regimes_json IS NULL OR json_valid(regimes_json));`);
  },
};
