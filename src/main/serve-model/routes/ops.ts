/** Health, readiness, the model summary, metrics and reload. */
import type { FastifyInstance } from 'fastify';
import { keyOf, type ServeContext } from '../context';
import { HttpError } from '../http-errors';
import type { LoadedModel } from '../model';
import { serveProfile } from '../profile';

export interface OpsHooks {
  /** whether the server takes traffic: bundle loaded, not shutting down, required backends answering */
  readiness(): Promise<{ ready: boolean; reason?: string; backends: Record<string, boolean> }>;
  reload(): Promise<LoadedModel>;
  /** true when the server has API keys (then /admin/reload needs an admin key) */
  readonly keysRequired: boolean;
  /** one worker of several (`--workers N`): its slot, named by GET /healthz with its pid (which worker took a connection) */
  readonly worker?: number;
}

/** The manifest in brief, for GET /model. */
export function modelSummary(m: LoadedModel): Record<string, unknown> {
  const man = m.manifest;
  return {
    runId: man.runId,
    bundleSha256: m.manifestSha256,
    created: man.created,
    appVersion: man.appVersion,
    loadedAt: m.loadedAt.toISOString(),
    signature: { verdict: m.trust.verdict, keyId: m.trust.keyId, keyName: m.trust.keyName, summary: m.trust.summary },
    threshold: man.threshold,
    labelWindow: man.label.window,
    windowLength: man.windowLength,
    ensemble: { weight: man.ensemble.weight, formula: man.ensemble.formula },
    models: Object.keys(man.models).filter((k) => k !== 'gbdtXgboost'),
    rul: man.rul === undefined ? null : { cap: man.rul.cap, coverage: man.rul.interval.coverage },
    historyColumns: man.rawInput.historyColumns,
    minHistoryRows: man.pipeline?.minHistoryRows ?? null,
    requiresFullHistory: man.pipeline?.requiresFullHistory ?? null,
    features: man.selectedFeatures,
    lstmFeatures: man.lstmFeatures ?? [],
  };
}

export function opsRoutes(app: FastifyInstance, ctx: ServeContext, hooks: OpsHooks): void {
  const health = hooks.worker === undefined ? { status: 'ok' } : { status: 'ok', worker: hooks.worker, pid: process.pid };
  app.get('/healthz', { config: { public: true } }, (_req, reply) => reply.send(health));

  app.get('/readyz', { config: { public: true } }, async (_req, reply) => {
    const r = await hooks.readiness();
    return reply.code(r.ready ? 200 : 503).send(r);
  });

  app.get('/model', (_req, reply) => reply.send(modelSummary(ctx.current())));

  app.get('/metrics', { config: { public: true } }, async (_req, reply) => reply.type(ctx.metrics.contentType).send(await ctx.metrics.render()));

  app.post('/admin/reload', async (req) => {
    if (hooks.keysRequired && keyOf(req)?.admin !== true) throw new HttpError(403, 'FORBIDDEN', 'reloading the bundle needs an admin key');
    const m = await hooks.reload();
    return { reloaded: true, model: modelSummary(m) };
  });

  // where the time goes (PROGNOS_SERVE_PROFILE=1 only; src/main/serve-model/profile.ts)
  const profile = serveProfile();
  if (profile !== undefined) {
    app.get('/admin/profile', (req, reply) => {
      if (hooks.keysRequired && keyOf(req)?.admin !== true) throw new HttpError(403, 'FORBIDDEN', 'the profile needs an admin key');
      const report = profile.report();
      if ((req.query as { reset?: string } | undefined)?.reset === '1') profile.reset();
      return reply.send(report);
    });
  }
}
