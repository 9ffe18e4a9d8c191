/**
 * Stored feature rankings and fleet scores (migration 015): the latest of each is shown again when
 * a client comes back; computing again with the same spec (ranking) or the same scorer (scores)
 * replaces the stored one. Every write is one statement.
 */
import { createHash } from 'node:crypto';
import type Database from 'better-sqlite3';
import { featureRankingSchema, fleetScoresSchema, type FeatureRanking, type FleetScoresValue, type Scorer } from '../../../shared/schemas';
import type { StoredFleetScores, StoredRanking } from '../../../shared/live-jobs';

/** Rankings kept per dataset (the newest; older specs' rankings are dropped). */
export const RANKINGS_KEPT = 5;

/** JSON with object keys sorted, so equal configs hash equally whatever their key order. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** SHA-256 (hex) of a config's canonical JSON: what a stored ranking is keyed by, with its dataset. */
export function specHash(config: unknown): string {
  return createHash('sha256').update(canonical(config)).digest('hex');
}

export function scorerKeyOf(scorer: Scorer): string {
  return scorer.kind === 'run' ? `run:${scorer.runId}` : `bundle:${scorer.bundleId}`;
}

interface RankingRow {
  dataset_id: string;
  spec_hash: string;
  config_json: string;
  ranking_json: string;
  computed_at: string;
}

interface ScoresRow {
  dataset_id: string;
  scorer_key: string;
  scores_json: string;
  computed_at: string;
}

function scorerOf(key: string): Scorer | undefined {
  if (key.startsWith('run:')) return { kind: 'run', runId: key.slice(4) };
  if (key.startsWith('bundle:')) return { kind: 'bundle', bundleId: key.slice(7) };
  return undefined;
}

export class StoredResultsStore {
  constructor(
    private readonly db: Database.Database,
    private readonly now: () => string = () => new Date().toISOString(),
  ) {}

  /**
   * Stores (or replaces, for the same dataset and spec) a ranking computed with the spec `spec` (the
   * parsed config, defaults filled in: what the ranking depends on); `config` is kept to show (the
   * config as the client sent it).
   */
  saveRanking(datasetId: string, spec: unknown, ranking: FeatureRanking, config: unknown = spec): StoredRanking {
    const hash = specHash(spec);
    const computedAt = this.now();
    this.db.transaction(() => {
      this.db
        .prepare<[string, string, string, string, string]>(
          `INSERT INTO feature_rankings (dataset_id, spec_hash, config_json, ranking_json, computed_at) VALUES (?, ?, ?, ?, ?)
           ON CONFLICT (dataset_id, spec_hash) DO UPDATE SET config_json = excluded.config_json, ranking_json = excluded.ranking_json, computed_at = excluded.computed_at`,
        )
        .run(datasetId, hash, canonical(config), JSON.stringify(ranking), computedAt);
      this.db
        .prepare<[string, string, number]>(
          `DELETE FROM feature_rankings WHERE dataset_id = ? AND spec_hash NOT IN
             (SELECT spec_hash FROM feature_rankings WHERE dataset_id = ? ORDER BY computed_at DESC, rowid DESC LIMIT ?)`,
        )
        .run(datasetId, datasetId, RANKINGS_KEPT);
    })();
    return { datasetId, specHash: hash, config: JSON.parse(canonical(config)) as unknown, computedAt, ranking };
  }

  /** The dataset's newest stored ranking (of the given spec, when given); a row that no longer parses is skipped. */
  latestRanking(datasetId: string, spec?: unknown): StoredRanking | undefined {
    const rows =
      spec === undefined
        ? this.db
            .prepare<[string], RankingRow>('SELECT * FROM feature_rankings WHERE dataset_id = ? ORDER BY computed_at DESC, rowid DESC')
            .all(datasetId)
        : this.db
            .prepare<[string, string], RankingRow>('SELECT * FROM feature_rankings WHERE dataset_id = ? AND spec_hash = ?')
            .all(datasetId, specHash(spec));
    for (const row of rows) {
      const ranking = featureRankingSchema.safeParse(JSON.parse(row.ranking_json));
      if (!ranking.success) continue;
      return { datasetId: row.dataset_id, specHash: row.spec_hash, config: JSON.parse(row.config_json) as unknown, computedAt: row.computed_at, ranking: ranking.data };
    }
    return undefined;
  }

  /** Stores (or replaces, for the same fleet and scorer) a fleet's scores. */
  saveScores(datasetId: string, scorer: Scorer, scores: FleetScoresValue): StoredFleetScores {
    const computedAt = this.now();
    this.db
      .prepare<[string, string, string | null, string, string]>(
        `INSERT INTO fleet_scores (dataset_id, scorer_key, run_id, scores_json, computed_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (dataset_id, scorer_key) DO UPDATE SET scores_json = excluded.scores_json, computed_at = excluded.computed_at`,
      )
      .run(datasetId, scorerKeyOf(scorer), scorer.kind === 'run' ? scorer.runId : null, JSON.stringify(scores), computedAt);
    return { datasetId, scorer, computedAt, scores };
  }

  /** The stored scores of a fleet by a scorer, or (no scorer) the fleet's newest scoring by any scorer. */
  latestScores(datasetId: string, scorer?: Scorer): StoredFleetScores | undefined {
    const rows =
      scorer === undefined
        ? this.db
            .prepare<[string], ScoresRow>('SELECT * FROM fleet_scores WHERE dataset_id = ? ORDER BY computed_at DESC, rowid DESC')
            .all(datasetId)
        : this.db
            .prepare<[string, string], ScoresRow>('SELECT * FROM fleet_scores WHERE dataset_id = ? AND scorer_key = ?')
            .all(datasetId, scorerKeyOf(scorer));
    for (const row of rows) {
      const by = scorerOf(row.scorer_key);
      const scores = fleetScoresSchema.safeParse(JSON.parse(row.scores_json));
      if (by === undefined || !scores.success) continue;
      return { datasetId: row.dataset_id, scorer: by, computedAt: row.computed_at, scores: scores.data };
    }
    return undefined;
  }

  /** Drops the stored scores made with a bundle (when the bundle is deleted). */
  forgetBundle(bundleId: string): number {
    return this.db.prepare<[string]>('DELETE FROM fleet_scores WHERE scorer_key = ?').run(`bundle:${bundleId}`).changes;
  }
}
