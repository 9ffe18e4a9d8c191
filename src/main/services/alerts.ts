/**
 * Alerts: every stored drift report is judged by the alert rules; each rule that fires raises an
 * in-app notification and, when the webhook is on, a Slack-compatible POST retried in the background.
 * The report, the job that made it and the thread that serves the UI never wait for the webhook.
 */
import type { DriftReport, Notification } from '../../shared/drift';
import type { NotificationEntry, WebhookTestResult } from '../../shared/alerts';
import { PrognosError } from '../../shared/errors';
import type { AlertStore } from '../core/store/alerts';
import {
  evaluateRules,
  notificationText,
  slackMessage,
  type RuleOutcome,
  type ValidationFigures,
} from '../core/alerts/rules';
import type { EventBus } from './events';
import type { Handlers } from './app-services';
import { logger } from './logger';
import { DEFAULT_RETRY_POLICY, deliverWithRetry, postOnce, type RetryPolicy } from './webhook';

const log = logger('alerts');

export type AlertChannel =
  | 'alerts:list'
  | 'alerts:save'
  | 'alerts:delete'
  | 'alerts:webhook'
  | 'alerts:testWebhook'
  | 'notifications:list'
  | 'notifications:read';

export interface AlertServiceOptions {
  /** the source run's (or bundle's run's) validation figures, for rules relative to them */
  validationOf?: (source: DriftReport['source']) => ValidationFigures | null | Promise<ValidationFigures | null>;
  retry?: Partial<RetryPolicy>;
  userAgent?: string;
}

export interface DriftAlertOutcome {
  readonly outcomes: RuleOutcome[];
  readonly notifications: Notification[];
}

export class AlertService {
  private readonly policy: RetryPolicy;
  /** deliveries under way, each with its own controller (closing or turning the webhook off aborts them) */
  private readonly inFlight = new Map<string, { controller: AbortController; done: Promise<void> }>();
  /** reports being judged (started by the listener, not awaited by its caller) */
  private readonly judging = new Set<Promise<unknown>>();
  /** why in-flight deliveries were aborted: 'closing' leaves them pending, 'disabled' fails them */
  private abortReason: 'closing' | 'disabled' | null = null;
  private closed = false;

  constructor(
    private readonly store: AlertStore,
    private readonly bus: EventBus,
    private readonly opts: AlertServiceOptions = {},
  ) {
    this.policy = { ...DEFAULT_RETRY_POLICY, ...opts.retry };
  }

  /**
   * Judges the rules on a stored report, stores the notifications of those that fired, pushes
   * `notifications:changed`, and starts the webhook deliveries without waiting for them.
   */
  async onDriftReport(report: DriftReport): Promise<DriftAlertOutcome> {
    const rules = this.store.listRules();
    const needsValidation = rules.some((r) => r.enabled && r.relativeTo === 'validation');
    let validation: ValidationFigures | null = null;
    if (needsValidation && this.opts.validationOf !== undefined) {
      try {
        validation = await this.opts.validationOf(report.source);
      } catch (e) {
        log.warn(`no validation figures for ${report.source.kind} ${report.source.id}`, e);
      }
    }
    const outcomes = evaluateRules(rules, report, validation);
    for (const o of outcomes)
      if (o.skipped !== null) log.info(`rule "${o.rule.name}" not judged on report ${report.reportId}: ${o.skipped}`);
    const fired = outcomes.filter((o) => o.fired);
    if (fired.length === 0 || this.closed) return { outcomes, notifications: [] };
    const webhook = this.store.webhook();
    const items = fired.map((o) => ({
      ...notificationText(o, report),
      severity: o.rule.severity,
      ruleId: o.rule.ruleId,
      reportId: report.reportId,
    }));
    const notifications = this.store.addNotifications(
      items,
      webhook.enabled && webhook.url !== null ? (n) => slackMessage(n) : undefined,
    );
    for (const n of notifications) this.changed(n.notificationId);
    if (webhook.enabled && webhook.url !== null) {
      for (const n of notifications) this.startDelivery(webhook.url, n.notificationId, slackMessage(n), 1);
    }
    return { outcomes, notifications };
  }

  /** A listener for the drift service's `onStored`: never throws, never holds up the caller. */
  readonly listener = (report: DriftReport): void => {
    const p = this.onDriftReport(report)
      .catch((e: unknown) => log.error(`alerts on report ${report.reportId} failed`, e))
      .finally(() => this.judging.delete(p));
    this.judging.add(p);
  };

  /** Continues deliveries left pending when the store was last closed (or fails them if the webhook is off now). */
  resumePending(): void {
    const webhook = this.store.webhook();
    for (const p of this.store.pendingDeliveries()) {
      if (!webhook.enabled || webhook.url === null) {
        this.store.finishDelivery(p.notificationId, 'failed', 'not delivered: the webhook was turned off');
        this.changed(p.notificationId);
      } else if (p.attempts >= this.policy.maxAttempts) {
        this.store.finishDelivery(p.notificationId, 'failed');
        this.changed(p.notificationId);
      } else {
        this.startDelivery(webhook.url, p.notificationId, p.payload, p.attempts + 1);
      }
    }
  }

  private startDelivery(url: string, notificationId: string, payload: unknown, firstAttempt: number): void {
    const controller = new AbortController();
    const run = async (): Promise<void> => {
      const outcome = await deliverWithRetry(url, payload, this.policy, {
        signal: controller.signal,
        firstAttempt,
        ...(this.opts.userAgent === undefined ? {} : { userAgent: this.opts.userAgent }),
        onAttempt: (a) => {
          if (this.closed) return;
          this.store.recordAttempt(notificationId, a);
          this.changed(notificationId);
        },
      });
      if (this.closed && this.abortReason === 'closing') return; // stays pending; resumed on the next open
      if (outcome.interrupted) {
        if (this.abortReason === 'disabled')
          this.store.finishDelivery(notificationId, 'failed', 'not delivered: the webhook was turned off');
      } else if (outcome.delivered) {
        this.store.finishDelivery(notificationId, 'delivered');
      } else {
        this.store.finishDelivery(
          notificationId,
          'failed',
          outcome.lastError === null ? null : `${outcome.lastError} (after ${outcome.attempts} attempts)`,
        );
      }
      this.changed(notificationId);
    };
    const done = run()
      .catch((e: unknown) => log.error(`webhook delivery of ${notificationId} failed`, e))
      .finally(() => this.inFlight.delete(notificationId));
    this.inFlight.set(notificationId, { controller, done });
  }

  /** Resolves when no delivery is under way (tests; a command that wants its messages out before it exits). */
  async idle(): Promise<void> {
    while (this.judging.size > 0 || this.inFlight.size > 0) {
      await Promise.all([...this.judging, ...[...this.inFlight.values()].map((d) => d.done)]);
    }
  }

  /** Stops retrying: deliveries under way stay pending in the store and continue when it opens again. */
  async close(): Promise<void> {
    if (this.closed) return;
    // reports being judged get their notifications stored first (a few SQLite writes)
    while (this.judging.size > 0) await Promise.all([...this.judging]);
    this.abortReason = 'closing';
    this.closed = true;
    for (const d of this.inFlight.values()) d.controller.abort();
    await Promise.all([...this.inFlight.values()].map((d) => d.done));
  }

  private abortAll(reason: 'disabled'): void {
    this.abortReason = reason;
    for (const d of this.inFlight.values()) d.controller.abort();
  }

  private changed(notificationId: string | null): void {
    if (this.closed) return;
    this.bus.emit('notifications:changed', { unread: this.store.unreadCount(), notificationId });
  }

  handlers(): Pick<Handlers, AlertChannel> {
    return {
      'alerts:list': () => Promise.resolve(this.store.listRules()),
      'alerts:save': ({ rule }) => Promise.resolve(this.store.saveRule(rule)),
      'alerts:delete': ({ ruleId }) => Promise.resolve({ deleted: this.store.deleteRule(ruleId) }),
      'alerts:webhook': async ({ setting }) => {
        if (setting === undefined) return this.store.webhook();
        const before = this.store.webhook();
        const after = this.store.setWebhook(setting);
        if (this.inFlight.size > 0 && (!after.enabled || after.url !== before.url)) {
          const waiting = [...this.inFlight.values()].map((d) => d.done);
          this.abortAll('disabled');
          await Promise.all(waiting);
          this.abortReason = null;
        }
        return after;
      },
      'alerts:testWebhook': async ({ url }) => {
        const target = url ?? this.store.webhook().url;
        if (target === null)
          throw new PrognosError('INVALID_INPUT', 'webhook url: no URL is set; enter one to send a test message');
        const payload = slackMessage({
          severity: 'info',
          title: 'Prognos test message',
          body: 'This is a test of the drift alert webhook. Alerts will arrive here when the webhook is on.',
          reportId: null,
          notificationId: 'test',
        });
        const a = await postOnce(target, JSON.stringify(payload), {
          timeoutMs: this.policy.timeoutMs,
          ...(this.opts.userAgent === undefined ? {} : { userAgent: this.opts.userAgent }),
        });
        const result: WebhookTestResult = {
          delivered: a.status !== null && a.status >= 200 && a.status < 300,
          attempt: { attempt: 1, ...a },
        };
        return result;
      },
      'notifications:list': ({ limit, unreadOnly }) =>
        Promise.resolve(
          this.store.listNotifications({
            ...(limit === undefined ? {} : { limit }),
            ...(unreadOnly === undefined ? {} : { unreadOnly }),
          }),
        ),
      'notifications:read': ({ notificationIds, all }) => {
        const unread = this.store.markRead(all === true ? 'all' : (notificationIds ?? []));
        this.changed(null);
        return Promise.resolve({ unread });
      },
    };
  }

  /** One notification with its attempts (tests and the CLI). */
  notification(notificationId: string): NotificationEntry | undefined {
    return this.store.getNotification(notificationId);
  }
}

/** The headline model's (the ensemble, else the GBDT) validation F2, precision and recall from a run's stored result. */
export function validationFiguresOf(result: unknown): ValidationFigures | null {
  type Figures = { f2?: number | null; precision?: number | null; recall?: number | null };
  const metrics = (result as { metrics?: Record<string, { validation?: Figures } | undefined> } | null)?.metrics;
  const v = (metrics?.ensemble ?? metrics?.gbdt)?.validation;
  if (v === undefined) return null;
  const pick = (x: number | null | undefined): number | null =>
    typeof x === 'number' && Number.isFinite(x) ? x : null;
  return { f2: pick(v.f2), precision: pick(v.precision), recall: pick(v.recall) };
}
