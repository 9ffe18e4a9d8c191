/**
 * 016 — saved pipelines, pipeline runs and their steps.
 *
 * `pipelines`: recipes saved from the app (their JSON text as the analyst wrote it).
 * `pipeline_runs`: one row per run of a recipe, with the recipe's text and SHA-256, its status and
 * the process that runs it (pid and start time), so a run whose process died is marked failed.
 * `pipeline_steps`: one row per step of a run, in order: status, attempts, the cache key (SHA-256
 * of the step's inputs), its output (ids of what it made) and its log. A step whose cache key
 * matches an earlier finished step reuses that step's output while what it names still exists.
 */
import type { Migration } from './types';

export const migration016: Migration = {
  version: 16,
  name: 'pipelines',
  up(db) {
    db.exec(`
      CREATE TABLE pipelines (
        pipeline_id TEXT PRIMARY KEY,
        name        TEXT NOT NULL UNIQUE,
        text        TEXT NOT NULL,
        created_at  TEXT NOT NULL,
        updated_at  TEXT NOT NULL
      ) STRICT;

      CREATE TABLE pipeline_runs (
        pipeline_run_id TEXT PRIMARY KEY,
        pipeline_id     TEXT REFERENCES pipelines (pipeline_id) ON DELETE SET NULL,
        name            TEXT NOT NULL,
        source          TEXT NOT NULL,
        recipe_text     TEXT NOT NULL,
        recipe_sha256   TEXT NOT NULL CHECK (length(recipe_sha256) = 64),
        status          TEXT NOT NULL CHECK (status IN ('running', 'done', 'failed', 'cancelled')),
        owner_pid       INTEGER,
        owner_start     TEXT,
        started_at      TEXT NOT NULL,
        finished_at     TEXT,
        error           TEXT
      ) STRICT;
      CREATE INDEX pipeline_runs_status ON pipeline_runs (status);

      CREATE TABLE pipeline_steps (
        pipeline_run_id TEXT NOT NULL REFERENCES pipeline_runs (pipeline_run_id) ON DELETE CASCADE,
        position        INTEGER NOT NULL,
        step            TEXT NOT NULL,
        status          TEXT NOT NULL CHECK (status IN ('pending', 'running', 'done', 'cached', 'failed', 'skipped', 'cancelled')),
        attempts        INTEGER NOT NULL DEFAULT 0,
        cache_key       TEXT CHECK (cache_key IS NULL OR length(cache_key) = 64),
        output_json     TEXT CHECK (output_json IS NULL OR json_valid(output_json)),
        summary         TEXT,
        log             TEXT NOT NULL DEFAULT '',
        started_at      TEXT,
        finished_at     TEXT,
        error           TEXT,
        PRIMARY KEY (pipeline_run_id, position)
      ) STRICT;
      CREATE INDEX pipeline_steps_cache ON pipeline_steps (cache_key, status);
    `);
  },
};
