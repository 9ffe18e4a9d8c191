/**
 * POST /predict: histories in, one prediction per unit out, as the bundle's openapi.json says.
 *
 * The route keeps the body as bytes (a JSON parser of its own, in this route's scope only): bytes
 * answered before are a cache hit before any parsing or validation (cachedByRawBody); other bodies
 * read straight into the fleet table when they have the usual shape (predict-body.ts), and any other
 * is parsed here with Fastify's own JSON parser (same prototype-poisoning rules, same errors) and
 * validated as before.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { cachedByRawBody, rawBodyKey, scoreParsed, scoreUnits, type ServeContext } from '../context';
import { HttpError } from '../http-errors';
import { serveProfile } from '../profile';
import type { UnitHistory } from '../request';

const ROUTE = '/predict';

export function predictRoutes(app: FastifyInstance, ctx: ServeContext): void {
  void app.register((scope, _opts, done) => {
    const jsonParser = scope.getDefaultJsonParser('error', 'error');
    const parse = (req: FastifyRequest, raw: Buffer): unknown => {
      let result: { err: Error | null; body?: unknown } = { err: null };
      void jsonParser(req, raw.toString('utf8'), (err, body) => (result = { err, body }));
      if (result.err !== null) throw result.err;
      return result.body;
    };
    scope.removeContentTypeParser('application/json');
    scope.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_req, raw, done) => done(null, raw));

    const profile = serveProfile();
    scope.post(ROUTE, async (req, reply) => {
      // since the request's first byte was read: the body, Fastify's hooks and the wait for this turn of the loop
      profile?.add('receive', reply.elapsedTime);
      // a JSON body arrives as bytes; any other (text/plain) as Fastify parsed it, and is refused by the schema
      const raw = Buffer.isBuffer(req.body) ? req.body : undefined;
      const scored = await ctx.withModel(async (m) => {
        const rawKey = raw !== undefined && ctx.cacheTtlSeconds > 0 ? rawBodyKey(ROUTE, raw) : undefined;
        const hit = rawKey === undefined ? undefined : await cachedByRawBody(ctx, m, ROUTE, req, rawKey);
        if (hit !== undefined) return hit;
        let t = profile === undefined ? 0 : performance.now();
        // the usual body, read straight into the table (anything unusual: the general path below)
        const parsed = raw === undefined ? undefined : m.bodyReader?.read(raw);
        if (parsed !== undefined) {
          profile?.add('parse', performance.now() - t);
          return scoreParsed(ctx, m, ROUTE, req, parsed, rawKey);
        }
        const body = raw === undefined ? req.body : parse(req, raw);
        if (profile !== undefined) {
          const now = performance.now();
          profile.add('parse', now - t);
          t = now;
        }
        const issue = m.validatePredict(body);
        profile?.add('validate', performance.now() - t);
        if (issue !== undefined) throw new HttpError(422, 'INVALID_INPUT', issue.field === '' ? issue.message : `${issue.field}: ${issue.message}`, issue.field);
        return scoreUnits(ctx, m, ROUTE, req, (body as { units: UnitHistory[] }).units, undefined, rawKey);
      });
      return reply.header('X-Prognos-Cache', scored.cache).type('application/json; charset=utf-8').send(scored.body);
    });
    done();
  });
}
