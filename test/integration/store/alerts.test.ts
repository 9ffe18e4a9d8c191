/** Migration 008 (alerts) and the alert store: rules, notifications, deliveries, the webhook setting. */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { appliedMigrations, migrate } from '../../../src/main/core/store/migrate';
import { MIGRATIONS } from '../../../src/main/core/store/migrations';
import { ExperimentStore } from '../../../src/main/core/store/store';
import { columnNames, indexColumns, tableNames, tempDir } from './helpers';

function freshDb(): Database.Database {
  const db = new Database(join(tempDir(), 'prognos.db'));
  db.pragma('journal_mode = WAL');
  db.pragma('foreign_keys = ON');
  return db;
}

const v8 = MIGRATIONS.findIndex((m) => m.version === 8);
const upTo = (n: number) => MIGRATIONS.slice(0, n);

describe('008 alerts', () => {
  it('adds the alert tables, three default rules and the webhook setting (off) to a version-7 store, keeping its settings', () => {
    expect(MIGRATIONS[v8]).toMatchObject({ version: 8, name: 'alerts' });
    const db = freshDb();
    migrate(db, upTo(7));
    db.prepare("UPDATE settings SET value = 'require-signed' WHERE key = 'trust_policy'").run();

    expect(migrate(db, upTo(8))).toEqual([8]);
    expect(tableNames(db)).toEqual(
      expect.arrayContaining(['alert_rules', 'notifications', 'webhook_deliveries', 'webhook_attempts']),
    );
    expect(columnNames(db, 'alert_rules')).toEqual([
      'rule_id',
      'name',
      'enabled',
      'metric',
      'direction',
      'value',
      'relative_to',
      'severity',
      'scope_kind',
      'scope_id',
      'created_at',
      'updated_at',
    ]);
    expect(columnNames(db, 'notifications')).toEqual([
      'notification_id',
      'created_at',
      'severity',
      'title',
      'body',
      'rule_id',
      'report_id',
      'read',
    ]);
    expect(columnNames(db, 'webhook_deliveries')).toEqual([
      'notification_id',
      'state',
      'attempts',
      'last_error',
      'delivered_at',
      'payload_json',
      'created_at',
    ]);
    expect(columnNames(db, 'webhook_attempts')).toEqual([
      'notification_id',
      'attempt',
      'at',
      'status',
      'error',
      'duration_ms',
    ]);
    expect(indexColumns(db, 'notifications_unread')).toEqual(['read', 'created_at']);
    expect(indexColumns(db, 'notifications_report')).toEqual(['report_id']);
    expect(db.prepare('SELECT key, value FROM settings ORDER BY key').all()).toEqual([
      { key: 'alert_webhook', value: '{"enabled":false,"url":null}' },
      { key: 'trust_policy', value: 'require-signed' },
    ]);
    expect(
      db
        .prepare(
          'SELECT rule_id, enabled, metric, direction, value, relative_to, severity FROM alert_rules ORDER BY rule_id',
        )
        .all(),
    ).toEqual([
      {
        rule_id: 'default-dataset-drift',
        enabled: 1,
        metric: 'datasetDrift',
        direction: 'above',
        value: 1,
        relative_to: null,
        severity: 'warning',
      },
      {
        rule_id: 'default-estimated-f2',
        enabled: 1,
        metric: 'estimatedF2',
        direction: 'below',
        value: -0.1,
        relative_to: 'validation',
        severity: 'critical',
      },
      {
        rule_id: 'default-prediction-drift',
        enabled: 1,
        metric: 'predictionDrift',
        direction: 'above',
        value: 1,
        relative_to: null,
        severity: 'warning',
      },
    ]);
    expect(migrate(db, upTo(8))).toEqual([]);
    expect(appliedMigrations(db).find((m) => m.version === 8)).toMatchObject({ name: 'alerts' });

    // the constraints hold against hand-written rows
    const rule = db.prepare("INSERT INTO alert_rules VALUES (?, 'n', 1, 'pca', ?, 1, NULL, ?, ?, ?, 'x', 'x')");
    expect(() => rule.run('r1', 'sideways', 'warning', null, null)).toThrow(/CHECK/);
    expect(() => rule.run('r1', 'above', 'urgent', null, null)).toThrow(/CHECK/);
    expect(() => rule.run('r1', 'above', 'info', 'run', null)).toThrow(/CHECK/);
    rule.run('r1', 'above', 'info', 'run', 'run_x');
    const note = db.prepare("INSERT INTO notifications VALUES (?, 'x', 'info', 't', 'b', ?, NULL, 0)");
    expect(() => note.run('n0', 'no-such-rule')).toThrow(/FOREIGN KEY/);
    note.run('n1', 'r1');
    expect(() =>
      db.prepare("INSERT INTO webhook_deliveries VALUES ('n1', 'pending', 0, NULL, NULL, 'not json', 'x')").run(),
    ).toThrow(/CHECK/);
    db.prepare("INSERT INTO webhook_deliveries VALUES ('n1', 'pending', 0, NULL, NULL, '{}', 'x')").run();
    db.prepare("INSERT INTO webhook_attempts VALUES ('n1', 1, 'x', 500, 'HTTP 500', 3.5)").run();
    // a rule's notifications outlive it; a notification takes its delivery and attempts with it
    db.prepare("DELETE FROM alert_rules WHERE rule_id = 'r1'").run();
    expect(db.prepare("SELECT rule_id FROM notifications WHERE notification_id = 'n1'").get()).toEqual({
      rule_id: null,
    });
    db.prepare("DELETE FROM notifications WHERE notification_id = 'n1'").run();
    expect(db.prepare('SELECT count(*) AS n FROM webhook_deliveries').get()).toEqual({ n: 0 });
    expect(db.prepare('SELECT count(*) AS n FROM webhook_attempts').get()).toEqual({ n: 0 });
    db.close();
  });
});

describe('alert store', () => {
  it('creates, edits, disables and deletes rules; an unknown rule is NOT_FOUND', () => {
    const store = ExperimentStore.open(tempDir(), { sweepIntervalMs: 0 });
    const a = store.alerts();
    expect(a.listRules().map((r) => r.ruleId)).toEqual([
      'default-dataset-drift',
      'default-estimated-f2',
      'default-prediction-drift',
    ]);
    const created = a.saveRule({
      name: '  Domain AUC high ',
      enabled: true,
      metric: 'domainAuc',
      when: 'above',
      value: 0.8,
      severity: 'info',
      scope: { kind: 'bundle', id: 'demo' },
    });
    expect(created).toMatchObject({
      name: 'Domain AUC high',
      metric: 'domainAuc',
      scope: { kind: 'bundle', id: 'demo' },
    });
    expect(created.ruleId).toMatch(/^alr_/);
    const edited = a.saveRule({ ...created, enabled: false, value: 0.9 });
    expect(edited).toEqual({ ...created, enabled: false, value: 0.9 });
    const f2 = a.getRule('default-estimated-f2')!;
    expect(f2).toEqual({
      ruleId: 'default-estimated-f2',
      name: 'Estimated F2 0.1 or more below validation',
      enabled: true,
      metric: 'estimatedF2',
      when: 'below',
      value: -0.1,
      relativeTo: 'validation',
      severity: 'critical',
    });
    expect(a.saveRule({ ...f2, enabled: false }).enabled).toBe(false);
    expect(() => a.saveRule({ ...created, ruleId: 'alr_nope' })).toThrow(/No alert rule alr_nope/);
    expect(a.deleteRule(created.ruleId)).toBe(true);
    expect(a.deleteRule(created.ruleId)).toBe(false);
    expect(a.listRules()).toHaveLength(3);
    // a rule on a metric this build does not know (a newer build's) is left out, the others still work
    store.alerts().saveRule({ name: 'x', enabled: true, metric: 'pca', when: 'above', value: 1, severity: 'info' });
    expect(a.listRules()).toHaveLength(4);
    const db = new Database(store.dbPath);
    db.prepare("UPDATE alert_rules SET metric = 'futureMetric' WHERE name = 'x'").run();
    db.close();
    expect(a.listRules().map((r) => r.ruleId)).toEqual(['default-dataset-drift', 'default-estimated-f2', 'default-prediction-drift']);
    store.close();
  });

  it('keeps notifications newest first with an unread count; marking read; a deleted rule leaves them unlinked', () => {
    const store = ExperimentStore.open(tempDir(), { sweepIntervalMs: 0 });
    const a = store.alerts();
    const [n1, n2] = a.addNotifications([
      { severity: 'warning', title: 'one', body: 'b1', ruleId: 'default-dataset-drift', reportId: 'rep_1' },
      { severity: 'critical', title: 'two', body: 'b2', ruleId: 'default-estimated-f2', reportId: 'rep_1' },
    ]);
    expect(n1!.delivery).toBeUndefined();
    const list = a.listNotifications();
    expect(list.notifications.map((n) => n.title)).toEqual(['two', 'one']);
    expect(list).toMatchObject({ unread: 2, total: 2 });
    expect(a.markRead([n2!.notificationId])).toBe(1);
    expect(a.listNotifications({ unreadOnly: true }).notifications.map((n) => n.title)).toEqual(['one']);
    a.deleteRule('default-dataset-drift');
    expect(a.getNotification(n1!.notificationId)!.ruleId).toBeNull();
    expect(a.markRead('all')).toBe(0);
    store.close();
  });

  it('reads a hand-edited webhook setting that is not valid as off, never as a URL to post to', () => {
    const dir = tempDir();
    const store = ExperimentStore.open(dir, { sweepIntervalMs: 0 });
    const a = store.alerts();
    expect(a.setWebhook({ enabled: true, url: 'https://hooks.example.test/T/B/x' })).toEqual({
      enabled: true,
      url: 'https://hooks.example.test/T/B/x',
    });
    store.close();
    const db = new Database(join(dir, 'prognos.db'));
    for (const value of [
      '{"enabled":true,"url":"file:///etc/passwd"}',
      '{"enabled":true}',
      'not json',
      '{"enabled":true,"url":null}',
    ]) {
      db.prepare("UPDATE settings SET value = ? WHERE key = 'alert_webhook'").run(value);
      const s = ExperimentStore.open(dir, { sweepIntervalMs: 0 });
      expect(s.alerts().webhook(), value).toEqual({ enabled: false, url: null });
      s.close();
    }
    db.close();
  });
});
