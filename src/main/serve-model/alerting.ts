/**
 * The model server's alerts to a Slack-compatible webhook (`--alert-webhook URL`):
 *
 *   feature_drift   a feature starts drifting in the online window (one message per computation,
 *                   naming every feature that started)
 *   dataset_drift   the share of drifting features reaches the dataset-drift share
 *   alert_rate      the share of predictions that alert, over the last `windowSeconds`, rises above
 *                   the configured rate (with at least `minPredictions` predictions in the window)
 *
 * Each condition alerts once per episode: when it starts, not while it lasts. A condition that clears
 * and starts again within the cool-down after its last message stays quiet (a flapping feature does
 * not page anyone every 30 s); after the cool-down a new episode alerts again.
 *
 * Delivery reuses services/webhook.ts (time limit per attempt, retries with back-off and jitter) off
 * the request path; the URL never appears in a log line or an error (a Slack webhook URL is a secret).
 */
import { webhookUrlProblem } from '../../shared/alerts';
import { PrognosError } from '../../shared/errors';
import { logger } from '../services/logger';
import { DEFAULT_RETRY_POLICY, deliverWithRetry, type RetryPolicy } from '../services/webhook';
import type { AlertKind, ServeMetrics } from './metrics';
import type { OnlineDriftResult } from './online-drift';

const log = logger('serve-model:alerts');

export const DEFAULT_ALERT_COOLDOWN_MS = 30 * 60_000;
export const DEFAULT_ALERT_RATE_WINDOW_SECONDS = 600;
export const DEFAULT_ALERT_RATE_MIN_PREDICTIONS = 50;
/** Predictions are counted in buckets of this many seconds (the window slides by one bucket). */
const BUCKET_SECONDS = 10;

export interface AlertRateRule {
  /** alert when more than this share of the predictions in the window alert, in (0, 1) */
  readonly rate: number;
  readonly windowSeconds?: number;
  readonly minPredictions?: number;
}

export interface ServeAlertingOptions {
  /** the Slack-compatible incoming webhook */
  readonly webhookUrl: string;
  /** how the messages name the model ("run r1 (bundle 3fa2…)") */
  readonly modelLabel: string;
  /** the alert-rate rule; without it only drift alerts are sent */
  readonly alertRate?: AlertRateRule;
  readonly cooldownMs?: number;
  readonly retry?: RetryPolicy;
  readonly metrics?: ServeMetrics;
  readonly now?: () => number;
  /** the option the URL came from, for errors (default "--alert-webhook") */
  readonly option?: string;
}

/** What the webhook receives: Slack's `text` (notification fallback) and `blocks`, plus plain fields. */
export interface ServeAlertMessage {
  readonly text: string;
  readonly blocks: readonly Record<string, unknown>[];
  readonly prognos: {
    readonly kind: AlertKind;
    readonly model: string;
    readonly at: string;
    readonly details: Readonly<Record<string, unknown>>;
  };
}

/** Checks the options before the server starts: INVALID_INPUT naming the option and the reason. */
export function validateAlertingOptions(
  o: Pick<ServeAlertingOptions, 'webhookUrl' | 'alertRate' | 'cooldownMs' | 'option'>,
): void {
  const option = o.option ?? '--alert-webhook';
  const problem = webhookUrlProblem(o.webhookUrl);
  if (problem !== null) throw new PrognosError('INVALID_INPUT', `${option}: the URL ${problem}`);
  const r = o.alertRate;
  if (r !== undefined) {
    if (!(r.rate > 0 && r.rate < 1))
      throw new PrognosError('INVALID_INPUT', `--alert-rate: ${r.rate} is not a share between 0 and 1 (exclusive)`);
    if (r.windowSeconds !== undefined && !(Number.isInteger(r.windowSeconds) && r.windowSeconds >= BUCKET_SECONDS)) {
      throw new PrognosError(
        'INVALID_INPUT',
        `--alert-rate-window: ${r.windowSeconds} is not a whole number of seconds ≥ ${BUCKET_SECONDS}`,
      );
    }
    if (r.minPredictions !== undefined && !(Number.isInteger(r.minPredictions) && r.minPredictions >= 1)) {
      throw new PrognosError(
        'INVALID_INPUT',
        `alert rate: minPredictions ${r.minPredictions} is not a whole number ≥ 1`,
      );
    }
  }
  if (o.cooldownMs !== undefined && !(Number.isFinite(o.cooldownMs) && o.cooldownMs >= 0)) {
    throw new PrognosError('INVALID_INPUT', `--alert-cooldown: ${o.cooldownMs} is not a non-negative duration`);
  }
}

function clip(s: string, max: number): string {
  return s.length <= max ? s : `${s.slice(0, max - 1)}…`;
}

function escapeMrkdwn(s: string): string {
  return s.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}

export function alertMessage(
  kind: AlertKind,
  model: string,
  title: string,
  body: string,
  details: Record<string, unknown>,
  at: number,
): ServeAlertMessage {
  return {
    text: clip(`[Warning] ${title}`, 3000),
    blocks: [
      { type: 'header', text: { type: 'plain_text', text: clip(title, 150), emoji: false } },
      { type: 'section', text: { type: 'mrkdwn', text: clip(escapeMrkdwn(body), 3000) } },
      {
        type: 'context',
        elements: [{ type: 'mrkdwn', text: `Severity: *Warning* · Prognos model server · ${escapeMrkdwn(model)}` }],
      },
    ],
    prognos: { kind, model, at: new Date(at).toISOString(), details },
  };
}

/** One condition's episode state. */
interface Episode {
  active: boolean;
  lastSent: number;
}

function pct(x: number): string {
  return `${(100 * x).toFixed(1)}%`;
}

export class ServeAlerting {
  private readonly episodes = new Map<string, Episode>();
  private readonly inFlight = new Set<Promise<void>>();
  private readonly abort = new AbortController();
  private readonly now: () => number;
  private readonly cooldownMs: number;
  /** predictions and alerts per bucket, keyed by bucket index (time / BUCKET_SECONDS) */
  private readonly buckets = new Map<number, { n: number; alerts: number }>();
  private timer: NodeJS.Timeout | undefined;
  private modelLabel: string;

  constructor(private readonly opts: ServeAlertingOptions) {
    validateAlertingOptions(opts);
    this.modelLabel = opts.modelLabel;
    this.now = opts.now ?? Date.now;
    this.cooldownMs = opts.cooldownMs ?? DEFAULT_ALERT_COOLDOWN_MS;
  }

  /** How the messages name the model from now on (after a reload). */
  setModelLabel(label: string): void {
    this.modelLabel = label;
  }

  /**
   * Whether `key`'s condition, now `on`, starts an episode that should alert (and records it). An
   * episode ends when the condition is seen off; a new one alerts once the cool-down has passed.
   */
  private starts(key: string, on: boolean): boolean {
    const e = this.episodes.get(key) ?? { active: false, lastSent: -Infinity };
    this.episodes.set(key, e);
    if (!on) {
      e.active = false;
      return false;
    }
    if (e.active) return false;
    e.active = true;
    if (this.now() - e.lastSent < this.cooldownMs) return false;
    e.lastSent = this.now();
    return true;
  }

  /** Reads one online-drift computation (pass as OnlineDrift's onResult, beside the metrics). */
  onDrift(r: OnlineDriftResult): void {
    if (!r.ready) return;
    const started = r.features.filter((f) => this.starts(`feature:${f.feature}`, f.drifted));
    if (started.length > 0) {
      const names = started.map((f) => f.feature);
      const lines = started
        .slice(0, 20)
        .map(
          (f) =>
            `• ${f.feature}: ${f.method} ${f.score.toPrecision(3)} (threshold ${f.threshold}); mean ${f.referenceMean.toPrecision(4)} → ${f.currentMean.toPrecision(4)}`,
        );
      if (started.length > 20) lines.push(`…and ${started.length - 20} more`);
      this.send(
        'feature_drift',
        `${started.length === 1 ? `Feature ${names[0]} drifts` : `${started.length} features drift`} in the last ${r.windowRows} scored rows`,
        `Against the bundle's drift reference:\n${lines.join('\n')}`,
        {
          features: started.map((f) => ({
            feature: f.feature,
            method: f.method,
            score: f.score,
            threshold: f.threshold,
          })),
          windowRows: r.windowRows,
        },
      );
    }
    if (this.starts('dataset', r.datasetDrift)) {
      this.send(
        'dataset_drift',
        `Dataset drift: ${pct(r.driftedShare)} of the features drift`,
        `${r.features.filter((f) => f.drifted).length} of ${r.features.length} features drift in the last ${r.windowRows} scored rows (dataset drift from ${pct(r.datasetDriftShare)}).`,
        { driftedShare: r.driftedShare, datasetDriftShare: r.datasetDriftShare, windowRows: r.windowRows },
      );
    }
  }

  /** Counts predictions and how many alert (the server calls this beside the metrics). */
  observePredictions(predictions: number, alerts: number): void {
    if (this.opts.alertRate === undefined || predictions <= 0) return;
    const b = Math.floor(this.now() / 1000 / BUCKET_SECONDS);
    const cur = this.buckets.get(b) ?? { n: 0, alerts: 0 };
    cur.n += predictions;
    cur.alerts += alerts;
    this.buckets.set(b, cur);
  }

  /** The share of predictions alerting over the window, and how many predictions it holds. */
  alertRate(): { rate: number; predictions: number } {
    const rule = this.opts.alertRate;
    if (rule === undefined) return { rate: 0, predictions: 0 };
    const nowBucket = Math.floor(this.now() / 1000 / BUCKET_SECONDS);
    const oldest =
      nowBucket - Math.ceil((rule.windowSeconds ?? DEFAULT_ALERT_RATE_WINDOW_SECONDS) / BUCKET_SECONDS) + 1;
    let n = 0;
    let a = 0;
    for (const [b, c] of this.buckets) {
      if (b < oldest) this.buckets.delete(b);
      else {
        n += c.n;
        a += c.alerts;
      }
    }
    return { rate: n === 0 ? 0 : a / n, predictions: n };
  }

  /** Evaluates the alert-rate rule now (the timer calls this every bucket). */
  checkAlertRate(): void {
    const rule = this.opts.alertRate;
    if (rule === undefined) return;
    const { rate, predictions } = this.alertRate();
    const enough = predictions >= (rule.minPredictions ?? DEFAULT_ALERT_RATE_MIN_PREDICTIONS);
    // too few predictions is no evidence either way: the episode neither starts nor ends
    if (!enough) return;
    if (this.starts('alert_rate', rate > rule.rate)) {
      const minutes = (rule.windowSeconds ?? DEFAULT_ALERT_RATE_WINDOW_SECONDS) / 60;
      this.send(
        'alert_rate',
        `${pct(rate)} of predictions alert (above ${pct(rule.rate)})`,
        `${Math.round(rate * predictions)} of ${predictions} predictions in the last ${minutes % 1 === 0 ? minutes : minutes.toFixed(1)} min are at or above the bundle's threshold.`,
        { rate, predictions, threshold: rule.rate },
      );
    }
  }

  /** Checks the alert rate every bucket until `close` (the timer does not keep the process alive). */
  start(): void {
    if (this.timer !== undefined || this.opts.alertRate === undefined) return;
    this.timer = setInterval(() => this.checkAlertRate(), BUCKET_SECONDS * 1000);
    this.timer.unref();
  }

  private send(kind: AlertKind, title: string, body: string, details: Record<string, unknown>): void {
    const message = alertMessage(kind, this.modelLabel, title, body, details, this.now());
    const p = deliverWithRetry(this.opts.webhookUrl, message, this.opts.retry ?? DEFAULT_RETRY_POLICY, {
      onAttempt: () => undefined,
      signal: this.abort.signal,
      userAgent: 'prognos-serve-model',
    }).then(
      (o) => {
        if (o.interrupted) return;
        this.opts.metrics?.observeNotification(kind, o.delivered ? 'delivered' : 'failed');
        if (!o.delivered)
          log.warn(`the ${kind} alert was not delivered after ${o.attempts} attempt(s): ${o.lastError ?? 'refused'}`);
      },
      (e: unknown) => {
        this.opts.metrics?.observeNotification(kind, 'failed');
        log.warn(`the ${kind} alert could not be sent`, e instanceof Error ? e.message : String(e));
      },
    );
    this.inFlight.add(p);
    void p.finally(() => this.inFlight.delete(p));
  }

  /** Resolves when every message sent so far is delivered or given up on. */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
  }

  /** Stops the timer; waits up to `graceMs` for deliveries in flight, then abandons them. */
  async close(graceMs = 2000): Promise<void> {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    let t: NodeJS.Timeout | undefined;
    await Promise.race([this.idle(), new Promise<void>((resolve) => (t = setTimeout(resolve, graceMs)))]);
    if (t !== undefined) clearTimeout(t);
    this.abort.abort();
    await this.idle();
  }
}
