/**
 * Wires the model server's monitoring together: the metrics registry, the online drift window (fed
 * by the server's `onScored` hook, kept and recomputed in a worker thread: drift-thread.ts) and the
 * webhook alerts (drift, alert rate). The server takes `metrics` and `onScored` from here; nothing
 * here runs on the request path beyond sampling a reference to the scored table and counting.
 *
 * After a hot reload the first scoring with the new bundle loads its drift reference (off the request
 * path) and starts a fresh window; a bundle without drift/ (exported before bundles carried one)
 * serves without online drift, and the start message says so.
 */
import { createHash } from 'node:crypto';
import { readBundle } from '../core/export/bundle';
import type { DriftMethodChoice } from '../../shared/drift';
import { PrognosError } from '../../shared/errors';
import { logger } from '../services/logger';
import { ServeAlerting, type AlertRateRule, type ServeAlertingOptions } from './alerting';
import type { ScoredEvent } from './context';
import { OnlineDriftThread } from './drift-thread';
import type { ServeMetrics } from './metrics';
import { driftGauges, type OnlineDriftResult } from './online-drift';

const log = logger('serve-model:monitoring');

export interface ServeMonitoringOptions {
  readonly bundlePath: string;
  readonly metrics: ServeMetrics;
  /** online drift; false turns it off */
  readonly drift?:
    | {
        readonly windowRows?: number;
        readonly windowSeconds?: number;
        readonly intervalMs?: number;
        readonly method?: DriftMethodChoice;
        readonly maxQueued?: number;
      }
    | false;
  /** webhook alerts; absent: none */
  readonly alerts?: {
    readonly webhookUrl: string;
    readonly alertRate?: AlertRateRule;
    readonly cooldownMs?: number;
    readonly retry?: ServeAlertingOptions['retry'];
  };
}

export interface ServeMonitoring {
  /** the registry to give the server (its prediction counts also feed the alert-rate rule) */
  readonly metrics: ServeMetrics;
  /** the server's onScored hook */
  readonly onScored: (e: ScoredEvent) => void;
  /** loads the first bundle's drift reference and starts the timers; resolves to a one-line summary */
  start(): Promise<string>;
  /** the latest online-drift computation, if any */
  drift(): OnlineDriftResult | undefined;
  /** computes the online drift now (as the timer does, in the drift thread), publishing it to the metrics and the alerts */
  computeDrift(): Promise<OnlineDriftResult | undefined>;
  /** adds rows of feature values (the reference's feature order, `width` per row) to the drift window; false without online drift */
  observeDriftFeatures(rows: Float32Array, width: number): boolean;
  /** evaluates the alert-rate rule now (as its timer does) */
  checkAlertRate(): void;
  /** resolves when every alert sent so far is delivered or given up on */
  alertsIdle(): Promise<void>;
  close(): Promise<void>;
}

const label = (runId: string, sha: string): string => `run ${runId} (bundle ${sha.slice(0, 12)})`;

export function createServeMonitoring(opts: ServeMonitoringOptions): ServeMonitoring {
  const driftOpts = opts.drift === false ? undefined : (opts.drift ?? {});
  let alerting: ServeAlerting | undefined;
  if (opts.alerts !== undefined) {
    alerting = new ServeAlerting({
      webhookUrl: opts.alerts.webhookUrl,
      modelLabel: 'the model server',
      ...(opts.alerts.alertRate === undefined ? {} : { alertRate: opts.alerts.alertRate }),
      ...(opts.alerts.cooldownMs === undefined ? {} : { cooldownMs: opts.alerts.cooldownMs }),
      ...(opts.alerts.retry === undefined ? {} : { retry: opts.alerts.retry }),
      metrics: opts.metrics,
    });
  }
  const base = opts.metrics;
  const metrics: ServeMetrics = {
    ...base,
    observePredictions(n, a) {
      base.observePredictions(n, a);
      alerting?.observePredictions(n, a);
    },
  };

  let drift: OnlineDriftThread | undefined;
  /** the bundle (manifest SHA-256) the window belongs to, or is being loaded for */
  let driftFor: string | undefined;
  let closed = false;

  const onResult = (r: OnlineDriftResult): void => {
    base.setDrift(driftGauges(r));
    alerting?.onDrift(r);
  };

  /** Starts a drift thread on a bundle's reference (a fresh window); a log line when the bundle has none. */
  const loadDrift = async (path: string, sha: string): Promise<string> => {
    if (driftOpts === undefined) return 'online drift off';
    try {
      const thread = await OnlineDriftThread.open(path, { ...driftOpts, onResult });
      if (closed || driftFor !== sha) {
        await thread.stop();
        return 'superseded';
      }
      void drift?.stop();
      drift = thread;
      drift.start();
      alerting?.setModelLabel(label(thread.runId, sha));
      return `online drift of ${thread.featureCount} features over the last ${driftOpts.windowRows ?? 5000} scored rows${driftOpts.windowSeconds === undefined ? '' : ` (at most ${driftOpts.windowSeconds} s old)`}`;
    } catch (e) {
      if (driftFor === sha) {
        void drift?.stop();
        drift = undefined;
      }
      const reason = e instanceof PrognosError ? e.message : String(e);
      log.warn(`online drift off for this bundle: ${reason}`);
      return `online drift off (${reason})`;
    }
  };

  return {
    metrics,
    onScored(e) {
      if (closed || driftOpts === undefined) return;
      if (e.model.manifestSha256 !== driftFor) {
        // a reloaded bundle: its own reference and a fresh window (this request's rows are not counted)
        driftFor = e.model.manifestSha256;
        void drift?.stop();
        drift = undefined;
        void loadDrift(e.model.path, e.model.manifestSha256);
        return;
      }
      drift?.observe(e.table);
    },
    async start() {
      const bundle = await readBundle(opts.bundlePath);
      // the manifest's SHA-256, as the server names the bundle (LoadedModel.manifestSha256)
      const sha = createHash('sha256').update(bundle.files.get('manifest.json')!).digest('hex');
      driftFor = sha;
      alerting?.setModelLabel(label(bundle.manifest.runId, sha));
      alerting?.start();
      const d = await loadDrift(opts.bundlePath, sha);
      const a =
        opts.alerts === undefined
          ? 'no alert webhook'
          : `alerts to the webhook (drift${opts.alerts.alertRate === undefined ? '' : `, alert rate above ${(100 * opts.alerts.alertRate.rate).toFixed(1)}%`})`;
      return `${d}; ${a}`;
    },
    drift: () => drift?.latest(),
    computeDrift: async () => drift?.compute(),
    observeDriftFeatures(rows, width) {
      if (drift === undefined) return false;
      drift.observeFeatures(rows, width);
      return true;
    },
    checkAlertRate: () => alerting?.checkAlertRate(),
    alertsIdle: async () => alerting?.idle(),
    async close() {
      closed = true;
      await drift?.stop();
      await alerting?.close();
    },
  };
}
