/** The feature-store path: POST /units/{unit}/cycles appends a unit's new cycles, GET /units/{unit}/risk scores its stored history. */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { scoreUnits, type ServeContext } from '../context';
import { HttpError } from '../http-errors';
import type { HistoryRow } from '../types';

function unitParam(req: FastifyRequest): number {
  const raw = (req.params as { unit: string }).unit;
  const unit = /^-?\d{1,10}$/.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isSafeInteger(unit) || Math.abs(unit) > 2 ** 31 - 1) throw new HttpError(400, 'INVALID_INPUT', `unit: "${raw}" is not a whole number within ±2147483647`, 'unit');
  return unit;
}

export function unitRoutes(app: FastifyInstance, ctx: ServeContext): void {
  app.post('/units/:unit/cycles', async (req, reply) => {
    const unit = unitParam(req);
    const issue = ctx.current().validateRows(req.body);
    if (issue !== undefined) throw new HttpError(422, 'INVALID_INPUT', `${issue.field}: ${issue.message}`, issue.field);
    const rows = (req.body as { rows: HistoryRow[] }).rows;
    const stored = await ctx.featureStore.append(unit, rows);
    return reply.send({ unit, appended: rows.length, rows: stored.rows, lastCycle: stored.lastCycle });
  });

  app.get('/units/:unit/risk', async (req, reply) => {
    const unit = unitParam(req);
    const rows = await ctx.featureStore.history(unit);
    if (rows === undefined || rows.length === 0) throw new HttpError(404, 'NOT_FOUND', `unit ${unit} has no stored history; POST its cycles to /units/${unit}/cycles first`, 'unit');
    const scored = await ctx.withModel((m) =>
      scoreUnits(ctx, m, '/units/{unit}/risk', req, [{ unit, rows }], (p) => ({ ...p.units[0], threshold: p.threshold, runId: p.runId, historyRows: rows.length })),
    );
    return reply.header('X-Prognos-Cache', scored.cache).type('application/json; charset=utf-8').send(scored.body);
  });
}
