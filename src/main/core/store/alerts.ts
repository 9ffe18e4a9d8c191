/**
 * Alert rules, notifications, webhook deliveries (migration 008) and the webhook setting.
 * Every write is one statement or one transaction, so a failure leaves the tables as they were.
 */
import type Database from 'better-sqlite3';
import { PrognosError } from '../../../shared/errors';
import type { AlertRule, Notification, WebhookSetting } from '../../../shared/drift';
import { alertMetricSchema, webhookSettingSchema } from '../../../shared/drift';
import type { AlertRuleDraft, DeliveryAttempt, NotificationEntry, NotificationList } from '../../../shared/alerts';
import { webhookUrlProblem } from '../../../shared/alerts';
import { sortableId } from './ids';

interface RuleRow {
  rule_id: string;
  name: string;
  enabled: number;
  metric: string;
  direction: 'above' | 'below';
  value: number;
  relative_to: 'validation' | null;
  severity: AlertRule['severity'];
  scope_kind: 'run' | 'bundle' | null;
  scope_id: string | null;
}

interface NotificationRow {
  notification_id: string;
  created_at: string;
  severity: Notification['severity'];
  title: string;
  body: string;
  rule_id: string | null;
  report_id: string | null;
  read: number;
  state: 'pending' | 'delivered' | 'failed' | null;
  attempts: number | null;
  last_error: string | null;
  delivered_at: string | null;
}

interface AttemptRow {
  notification_id: string;
  attempt: number;
  at: string;
  status: number | null;
  error: string | null;
  duration_ms: number;
}

export interface NewNotification {
  readonly severity: Notification['severity'];
  readonly title: string;
  readonly body: string;
  readonly ruleId: string | null;
  readonly reportId: string | null;
}

export interface PendingDelivery {
  readonly notificationId: string;
  readonly payload: unknown;
  readonly attempts: number;
}

const RULE_COLUMNS = 'rule_id, name, enabled, metric, direction, value, relative_to, severity, scope_kind, scope_id';

function toRule(r: RuleRow): AlertRule {
  const metric = alertMetricSchema.safeParse(r.metric);
  if (!metric.success)
    throw new PrognosError('INTERNAL', `alert rule ${r.rule_id} watches an unknown metric "${r.metric}"`);
  return {
    ruleId: r.rule_id,
    name: r.name,
    enabled: r.enabled === 1,
    metric: metric.data,
    when: r.direction,
    value: r.value,
    ...(r.relative_to === null ? {} : { relativeTo: r.relative_to }),
    severity: r.severity,
    ...(r.scope_kind === null || r.scope_id === null ? {} : { scope: { kind: r.scope_kind, id: r.scope_id } }),
  };
}

function toAttempt(r: AttemptRow): DeliveryAttempt {
  return { attempt: r.attempt, at: r.at, status: r.status, error: r.error, durationMs: r.duration_ms };
}

export class AlertStore {
  constructor(
    private readonly db: Database.Database,
    private readonly now: () => Date = () => new Date(),
  ) {}

  // rules -------------------------------------------------------------------------------------------

  /** Every rule this build can judge, built-in defaults first, then in creation order. */
  listRules(): AlertRule[] {
    return this.db
      .prepare<[], RuleRow>(`SELECT ${RULE_COLUMNS} FROM alert_rules ORDER BY created_at, rule_id`)
      .all()
      .filter((r) => alertMetricSchema.safeParse(r.metric).success) // a metric this build does not know (a newer build's, or edited by hand) is left out
      .map(toRule);
  }

  getRule(ruleId: string): AlertRule | undefined {
    const r = this.db
      .prepare<[string], RuleRow>(`SELECT ${RULE_COLUMNS} FROM alert_rules WHERE rule_id = ?`)
      .get(ruleId);
    return r === undefined ? undefined : toRule(r);
  }

  /** Creates a rule (no `ruleId`) or replaces one (NOT_FOUND for an unknown id). */
  saveRule(draft: AlertRuleDraft): AlertRule {
    const at = this.now().toISOString();
    const params = {
      name: draft.name.trim(),
      enabled: draft.enabled ? 1 : 0,
      metric: draft.metric,
      direction: draft.when,
      value: draft.value,
      relative_to: draft.relativeTo ?? null,
      severity: draft.severity,
      scope_kind: draft.scope?.kind ?? null,
      scope_id: draft.scope?.id ?? null,
      at,
    };
    if (draft.ruleId === undefined) {
      const ruleId = sortableId('alr', this.now().getTime());
      this.db
        .prepare(
          `INSERT INTO alert_rules (${RULE_COLUMNS}, created_at, updated_at)
           VALUES (@rule_id, @name, @enabled, @metric, @direction, @value, @relative_to, @severity, @scope_kind, @scope_id, @at, @at)`,
        )
        .run({ ...params, rule_id: ruleId });
      return this.getRule(ruleId)!;
    }
    const changed = this.db
      .prepare(
        `UPDATE alert_rules SET name = @name, enabled = @enabled, metric = @metric, direction = @direction, value = @value,
           relative_to = @relative_to, severity = @severity, scope_kind = @scope_kind, scope_id = @scope_id, updated_at = @at
         WHERE rule_id = @rule_id`,
      )
      .run({ ...params, rule_id: draft.ruleId }).changes;
    if (changed === 0) throw new PrognosError('NOT_FOUND', `No alert rule ${draft.ruleId}.`);
    return this.getRule(draft.ruleId)!;
  }

  /** Deletes a rule; its notifications stay, no longer linked to a rule. */
  deleteRule(ruleId: string): boolean {
    return this.db.prepare('DELETE FROM alert_rules WHERE rule_id = ?').run(ruleId).changes > 0;
  }

  // webhook setting ---------------------------------------------------------------------------------

  /** The webhook setting; a value that does not read as a valid setting (edited by hand) counts as off. */
  webhook(): WebhookSetting {
    const row = this.db.prepare<[], { value: string }>("SELECT value FROM settings WHERE key = 'alert_webhook'").get();
    if (row === undefined) return { enabled: false, url: null };
    let parsed: unknown;
    try {
      parsed = JSON.parse(row.value);
    } catch {
      return { enabled: false, url: null };
    }
    const s = webhookSettingSchema.safeParse(parsed);
    if (!s.success) return { enabled: false, url: null };
    if (s.data.url !== null && webhookUrlProblem(s.data.url) !== null) return { enabled: false, url: null };
    return s.data.enabled && s.data.url === null ? { enabled: false, url: null } : s.data;
  }

  setWebhook(setting: WebhookSetting): WebhookSetting {
    if (setting.url !== null) {
      const problem = webhookUrlProblem(setting.url);
      if (problem !== null) throw new PrognosError('INVALID_INPUT', `webhook url: the URL ${problem}`);
    }
    if (setting.enabled && setting.url === null)
      throw new PrognosError('INVALID_INPUT', 'webhook url: an enabled webhook needs a URL');
    const value = JSON.stringify({ enabled: setting.enabled, url: setting.url });
    this.db
      .prepare(
        "INSERT INTO settings (key, value) VALUES ('alert_webhook', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
      )
      .run(value);
    return this.webhook();
  }

  // notifications -----------------------------------------------------------------------------------

  /**
   * Stores notifications in one transaction; with `payloadOf`, each also gets a pending webhook
   * delivery carrying that payload.
   */
  addNotifications(items: readonly NewNotification[], payloadOf?: (n: Notification) => unknown): Notification[] {
    const insert = this.db.prepare(
      `INSERT INTO notifications (notification_id, created_at, severity, title, body, rule_id, report_id, read)
       VALUES (?, ?, ?, ?, ?, ?, ?, 0)`,
    );
    const insertDelivery = this.db.prepare(
      `INSERT INTO webhook_deliveries (notification_id, state, attempts, last_error, delivered_at, payload_json, created_at)
       VALUES (?, 'pending', 0, NULL, NULL, ?, ?)`,
    );
    const ruleExists = this.db.prepare<[string], { n: number }>(
      'SELECT count(*) AS n FROM alert_rules WHERE rule_id = ?',
    );
    const tx = this.db.transaction(() => {
      const out: Notification[] = [];
      for (const item of items) {
        const at = this.now();
        const createdAt = at.toISOString();
        const id = sortableId('ntf', at.getTime());
        // a rule deleted meanwhile: keep the notification, unlinked
        const ruleId = item.ruleId !== null && ruleExists.get(item.ruleId)!.n > 0 ? item.ruleId : null;
        insert.run(id, createdAt, item.severity, item.title, item.body, ruleId, item.reportId);
        const n: Notification = {
          notificationId: id,
          createdAt,
          severity: item.severity,
          title: item.title,
          body: item.body,
          ruleId,
          reportId: item.reportId,
          read: false,
        };
        if (payloadOf !== undefined) {
          insertDelivery.run(id, JSON.stringify(payloadOf(n)), createdAt);
          n.delivery = { state: 'pending', attempts: 0, lastError: null, deliveredAt: null };
        }
        out.push(n);
      }
      return out;
    });
    return tx();
  }

  /** Newest first, each with its webhook attempts. */
  listNotifications(opts: { limit?: number; unreadOnly?: boolean } = {}): NotificationList {
    const limit = Math.max(1, Math.min(opts.limit ?? 100, 1000));
    const rows = this.db
      .prepare<[number, number], NotificationRow>(
        `SELECT n.notification_id, n.created_at, n.severity, n.title, n.body, n.rule_id, n.report_id, n.read,
                d.state, d.attempts, d.last_error, d.delivered_at
         FROM notifications n LEFT JOIN webhook_deliveries d ON d.notification_id = n.notification_id
         WHERE (? = 0 OR n.read = 0)
         ORDER BY n.created_at DESC, n.notification_id DESC LIMIT ?`,
      )
      .all(opts.unreadOnly === true ? 1 : 0, limit);
    const attemptsOf = this.db.prepare<[string], AttemptRow>(
      'SELECT notification_id, attempt, at, status, error, duration_ms FROM webhook_attempts WHERE notification_id = ? ORDER BY attempt',
    );
    const notifications: NotificationEntry[] = rows.map((r) => ({
      ...this.toNotification(r),
      attempts: attemptsOf.all(r.notification_id).map(toAttempt),
    }));
    const total = this.db.prepare<[], { n: number }>('SELECT count(*) AS n FROM notifications').get()!.n;
    return { notifications, unread: this.unreadCount(), total };
  }

  getNotification(notificationId: string): NotificationEntry | undefined {
    const r = this.db
      .prepare<[string], NotificationRow>(
        `SELECT n.notification_id, n.created_at, n.severity, n.title, n.body, n.rule_id, n.report_id, n.read,
                d.state, d.attempts, d.last_error, d.delivered_at
         FROM notifications n LEFT JOIN webhook_deliveries d ON d.notification_id = n.notification_id
         WHERE n.notification_id = ?`,
      )
      .get(notificationId);
    if (r === undefined) return undefined;
    const attempts = this.db
      .prepare<[string], AttemptRow>(
        'SELECT notification_id, attempt, at, status, error, duration_ms FROM webhook_attempts WHERE notification_id = ? ORDER BY attempt',
      )
      .all(notificationId)
      .map(toAttempt);
    return { ...this.toNotification(r), attempts };
  }

  private toNotification(r: NotificationRow): Notification {
    return {
      notificationId: r.notification_id,
      createdAt: r.created_at,
      severity: r.severity,
      title: r.title,
      body: r.body,
      ruleId: r.rule_id,
      reportId: r.report_id,
      read: r.read === 1,
      ...(r.state === null
        ? {}
        : {
            delivery: {
              state: r.state,
              attempts: r.attempts ?? 0,
              lastError: r.last_error,
              deliveredAt: r.delivered_at,
            },
          }),
    };
  }

  unreadCount(): number {
    return this.db.prepare<[], { n: number }>('SELECT count(*) AS n FROM notifications WHERE read = 0').get()!.n;
  }

  /** Marks the given notifications (or all) read; returns the unread count after. */
  markRead(ids: readonly string[] | 'all'): number {
    if (ids === 'all') {
      this.db.prepare('UPDATE notifications SET read = 1 WHERE read = 0').run();
    } else {
      const mark = this.db.prepare('UPDATE notifications SET read = 1 WHERE notification_id = ?');
      this.db.transaction(() => {
        for (const id of ids) mark.run(id);
      })();
    }
    return this.unreadCount();
  }

  // webhook deliveries ------------------------------------------------------------------------------

  /** Records one attempt and moves the delivery's attempt count and last error with it. */
  recordAttempt(notificationId: string, a: DeliveryAttempt): void {
    this.db.transaction(() => {
      this.db
        .prepare(
          'INSERT INTO webhook_attempts (notification_id, attempt, at, status, error, duration_ms) VALUES (?, ?, ?, ?, ?, ?)',
        )
        .run(notificationId, a.attempt, a.at, a.status, a.error, a.durationMs);
      this.db
        .prepare('UPDATE webhook_deliveries SET attempts = ?, last_error = ? WHERE notification_id = ?')
        .run(a.attempt, a.error, notificationId);
    })();
  }

  finishDelivery(notificationId: string, state: 'delivered' | 'failed', error: string | null = null): void {
    const at = state === 'delivered' ? this.now().toISOString() : null;
    this.db
      .prepare(
        "UPDATE webhook_deliveries SET state = ?, delivered_at = ?, last_error = coalesce(?, last_error) WHERE notification_id = ? AND state = 'pending'",
      )
      .run(state, at, error, notificationId);
  }

  /** Deliveries still pending (e.g. the app closed while they were retried), oldest first. */
  pendingDeliveries(): PendingDelivery[] {
    return this.db
      .prepare<[], { notification_id: string; payload_json: string; attempts: number }>(
        "SELECT notification_id, payload_json, attempts FROM webhook_deliveries WHERE state = 'pending' ORDER BY created_at, notification_id",
      )
      .all()
      .map((r) => ({
        notificationId: r.notification_id,
        payload: JSON.parse(r.payload_json) as unknown,
        attempts: r.attempts,
      }));
  }
}
