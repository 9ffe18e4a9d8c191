/**
 * POST /predict: histories in, one prediction per unit out, as the bundle's openapi.json says.
 *
 * The route keeps the body as bytes (a JSON parser of its own, in this route's scope only): bytes
 * answered before are a cache hit before any parsing or validation (cachedByRawBody); other bodies
 * read straight into the fleet table when they have the usual shape (predict-body.ts), and any other
 * is parsed here with Fastify's own JSON parser (same prototype-poisoning rules, same errors) and
 * validated as before.
 *
 * The bytes are read into a buffer of a small pool (BodyBuffers) and the buffer goes back once the
 * request has been scored, instead of a new one per request: Fastify's own reading copies every body
 * into a fresh buffer outside the V8 heap (26 KiB for a test_FD001 unit), and that memory, ~70 MB/s
 * under the serve bench, was what started most of the scavenges ("external memory pressure" in
 * --trace-gc). Limits and errors are Fastify's: 413 above the body limit (by Content-Length or by the
 * bytes read), 400 when the bytes read differ from Content-Length.
 */
import { errorCodes, type FastifyInstance, type FastifyRequest } from 'fastify';
import type { Readable } from 'node:stream';
import { cachedByRawBody, rawBodyKey, scoreParsed, scoreUnits, type Scored, type ServeContext } from '../context';
import type { LoadedModel } from '../model';
import { HttpError } from '../http-errors';
import { serveProfile } from '../profile';
import type { UnitHistory } from '../request';

const ROUTE = '/predict';

/** Reused body buffers: each at least 64 KiB, a few dozen kept (one per request in flight). */
class BodyBuffers {
  private readonly free: Buffer[] = [];

  take(size: number): Buffer {
    for (let i = this.free.length - 1; i >= 0; i--) {
      if (this.free[i]!.length >= size) return this.free.splice(i, 1)[0]!;
    }
    return Buffer.allocUnsafeSlow(Math.max(size, 64 * 1024));
  }

  give(b: Buffer): void {
    if (this.free.length < 64) this.free.push(b);
  }
}

/** the pooled buffer a request's body was read into, until the request gives it back */
const bodyBuffer = new WeakMap<FastifyRequest, Buffer>();

/** The body's bytes (a view of a pooled buffer), as Fastify's reader would give them. */
function readBody(req: FastifyRequest, payload: Readable, limit: number, pool: BodyBuffers, done: (err: Error | null, body?: Buffer) => void): void {
  const declared = Number(req.headers['content-length']);
  if (declared > limit) {
    done(new errorCodes.FST_ERR_CTP_BODY_TOO_LARGE());
    return;
  }
  let buf = pool.take(Number.isNaN(declared) ? 0 : declared);
  let length = 0;
  const finish = (err: Error | null, body?: Buffer): void => {
    payload.removeListener('data', onData);
    payload.removeListener('end', onEnd);
    payload.removeListener('error', onEnd);
    if (err !== null) pool.give(buf);
    else bodyBuffer.set(req, buf);
    done(err, body);
  };
  function onData(chunk: Buffer | string): void {
    const c = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    if (length + c.length > limit) {
      finish(new errorCodes.FST_ERR_CTP_BODY_TOO_LARGE());
      return;
    }
    if (length + c.length > buf.length) {
      // no Content-Length (or a wrong one): a larger buffer, the bytes so far copied over
      const bigger = pool.take(Math.min(limit, Math.max(2 * buf.length, length + c.length)));
      buf.copy(bigger, 0, 0, length);
      pool.give(buf);
      buf = bigger;
    }
    c.copy(buf, length);
    length += c.length;
  }
  function onEnd(err?: Error): void {
    if (err !== undefined && err !== null) {
      const e = err as Error & { statusCode?: number };
      if (!(typeof e.statusCode === 'number' && e.statusCode >= 400)) e.statusCode = 400;
      finish(e);
      return;
    }
    if (!Number.isNaN(declared) && length !== declared) {
      finish(new errorCodes.FST_ERR_CTP_INVALID_CONTENT_LENGTH());
      return;
    }
    finish(null, buf.subarray(0, length));
  }
  payload.on('data', onData);
  payload.on('end', onEnd);
  payload.on('error', onEnd);
  payload.resume();
}

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
    const pool = new BodyBuffers();
    const limit = app.initialConfig.bodyLimit ?? 1024 * 1024;
    scope.addContentTypeParser('application/json', (req, payload, done) => readBody(req, payload, limit, pool, done));
    /** gives the request's body buffer back to the pool (its bytes are not read after this) */
    const release = (req: FastifyRequest): void => {
      const b = bodyBuffer.get(req);
      if (b === undefined) return;
      bodyBuffer.delete(req);
      pool.give(b);
    };

    const profile = serveProfile();
    scope.post(ROUTE, async (req, reply) => {
      // since the request's first byte was read: the body, Fastify's hooks and the wait for this turn of the loop
      profile?.add('receive', reply.elapsedTime);
      // a JSON body arrives as bytes; any other (text/plain) as Fastify parsed it, and is refused by the schema
      const raw = Buffer.isBuffer(req.body) ? req.body : undefined;
      const scored = await ctx.withModel(async (m) => {
        try {
          return await answer(m);
        } finally {
          release(req);
        }
      });
      return reply.header('X-Prognos-Cache', scored.cache).type('application/json; charset=utf-8').send(scored.body);
      async function answer(m: LoadedModel): Promise<Scored> {
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
      }
    });
    done();
  });
}
