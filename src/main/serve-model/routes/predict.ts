/** POST /predict: histories in, one prediction per unit out, as the bundle's openapi.json says. */
import type { FastifyInstance } from 'fastify';
import { scoreUnits, type ServeContext } from '../context';
import { HttpError } from '../http-errors';
import type { UnitHistory } from '../request';

export function predictRoutes(app: FastifyInstance, ctx: ServeContext): void {
  app.post('/predict', async (req, reply) => {
    const scored = await ctx.withModel(async (m) => {
      const issue = m.validatePredict(req.body);
      if (issue !== undefined) throw new HttpError(422, 'INVALID_INPUT', issue.field === '' ? issue.message : `${issue.field}: ${issue.message}`, issue.field);
      return scoreUnits(ctx, m, '/predict', req, (req.body as { units: UnitHistory[] }).units);
    });
    return reply.header('X-Prognos-Cache', scored.cache).type('application/json; charset=utf-8').send(scored.body);
  });
}
