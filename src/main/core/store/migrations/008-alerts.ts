/**
 * 008 — alerts: rules on drift reports, in-app notifications, webhook deliveries and their attempts,
 * and the webhook setting.
 *
 * `alert_rules` holds the rules (three built-in defaults are inserted here, editable and removable
 * like any other). `notifications` are what a rule raised on a stored drift report; `report_id` is
 * plain text, not a foreign key: a notification outlives the report it names (the panel then says the
 * report is gone). `webhook_deliveries` has one row per notification sent to the webhook (state
 * pending → delivered | failed) and `webhook_attempts` one row per POST (HTTP status or the error).
 * Deleting a notification deletes its delivery and attempts. The webhook setting is the JSON in
 * `settings.alert_webhook`: off, with no URL, until the user sets one.
 */
import type { Migration } from './types';

export const migration008: Migration = {
  version: 8,
  name: 'alerts',
  up(db) {
    db.exec(`
      CREATE TABLE alert_rules (
        rule_id     TEXT PRIMARY KEY,
        name        TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
        enabled     INTEGER NOT NULL CHECK (enabled IN (0, 1)),
        metric      TEXT NOT NULL,
        direction   TEXT NOT NULL CHECK (direction IN ('above', 'below')),
        value       REAL NOT NULL,
        relative_to TEXT CHECK (relative_to IS NULL OR relative_to = 'validation'),
        severity    TEXT NOT NULL CHECK (severity IN ('info', 'warning', 'critical')),
        scope_kind  TEXT CHECK (scope_kind IS NULL OR scope_kind IN ('run', 'bundle')),
        scope_id    TEXT,
        created_at  TEXT NOT NULL,
        updated_at  TEXT NOT NULL,
        CHECK ((scope_kind IS NULL) = (scope_id IS NULL))
      ) STRICT;

      CREATE TABLE notifications (
        notification_id TEXT PRIMARY KEY,
        created_at      TEXT NOT NULL,
        severity        TEXT NOT NULL CHECK (severity IN ('info', 'warning', 'critical')),
        title           TEXT NOT NULL,
        body            TEXT NOT NULL,
        rule_id         TEXT REFERENCES alert_rules (rule_id) ON DELETE SET NULL,
        report_id       TEXT,
        read            INTEGER NOT NULL DEFAULT 0 CHECK (read IN (0, 1))
      ) STRICT;
      CREATE INDEX notifications_created ON notifications (created_at);
      CREATE INDEX notifications_unread ON notifications (read, created_at);
      CREATE INDEX notifications_report ON notifications (report_id);

      CREATE TABLE webhook_deliveries (
        notification_id TEXT PRIMARY KEY REFERENCES notifications (notification_id) ON DELETE CASCADE,
        state           TEXT NOT NULL CHECK (state IN ('pending', 'delivered', 'failed')),
        attempts        INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
        last_error      TEXT,
        delivered_at    TEXT,
        payload_json    TEXT NOT NULL CHECK (json_valid(payload_json)),
        created_at      TEXT NOT NULL
      ) STRICT;
      CREATE INDEX webhook_deliveries_state ON webhook_deliveries (state);

      CREATE TABLE webhook_attempts (
        notification_id TEXT NOT NULL REFERENCES webhook_deliveries (notification_id) ON DELETE CASCADE,
        attempt         INTEGER NOT NULL CHECK (attempt >= 1),
        at              TEXT NOT NULL,
        status          INTEGER,
        error           TEXT,
        duration_ms     REAL NOT NULL,
        PRIMARY KEY (notification_id, attempt)
      ) STRICT;

      INSERT INTO settings (key, value) VALUES ('alert_webhook', '{"enabled":false,"url":null}');

      INSERT INTO alert_rules (rule_id, name, enabled, metric, direction, value, relative_to, severity, scope_kind, scope_id, created_at, updated_at) VALUES
        ('default-dataset-drift', 'Dataset drift', 1, 'datasetDrift', 'above', 1, NULL, 'warning', NULL, NULL, '1970-01-01T00:00:00.000Z', '1970-01-01T00:00:00.000Z'),
        ('default-prediction-drift', 'Prediction drift', 1, 'predictionDrift', 'above', 1, NULL, 'warning', NULL, NULL, '1970-01-01T00:00:00.000Z', '1970-01-01T00:00:00.000Z'),
        ('default-estimated-f2', 'Estimated F2 0.1 or more below validation', 1, 'estimatedF2', 'below', -0.1, 'validation', 'critical', NULL, NULL, '1970-01-01T00:00:00.000Z', '1970-01-01T00:00:00.000Z');
    `);
  },
};
