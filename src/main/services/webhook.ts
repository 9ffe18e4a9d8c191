/**
 * POSTs a JSON message to a webhook with a time limit per attempt and retries with exponential
 * back-off and jitter. Asynchronous I/O only: nothing here blocks the thread that serves the UI.
 * Errors never repeat the URL (a Slack webhook URL is itself the secret).
 */
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { DeliveryAttempt } from '../../shared/alerts';
import { webhookUrlProblem } from '../../shared/alerts';
import { PrognosError } from '../../shared/errors';

export interface RetryPolicy {
  /** attempts in all, the first included (default 5) */
  readonly maxAttempts: number;
  /** the wait after the first failure; doubled after each further one (default 2 s) */
  readonly baseDelayMs: number;
  /** the longest wait between attempts (default 60 s) */
  readonly maxDelayMs: number;
  /** one attempt's limit, from connecting to the response's status line (default 10 s) */
  readonly timeoutMs: number;
  /** a number in [0, 1) for the jitter (default Math.random) */
  readonly random: () => number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxAttempts: 5,
  baseDelayMs: 2000,
  maxDelayMs: 60_000,
  timeoutMs: 10_000,
  random: Math.random,
};

/** At most this much of a response body is read (and thrown away). */
const MAX_RESPONSE_BYTES = 64 * 1024;

/**
 * The wait before attempt `attempt + 1` after attempt `attempt` failed: base · 2^(attempt − 1), at
 * most maxDelayMs, with "equal jitter" (between half and all of it), so many senders that failed
 * together do not retry together.
 */
export function backoffDelay(
  attempt: number,
  policy: Pick<RetryPolicy, 'baseDelayMs' | 'maxDelayMs' | 'random'>,
): number {
  const full = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, attempt - 1));
  return full / 2 + policy.random() * (full / 2);
}

/** Worth another attempt: no response, a timeout, 408, 429 or a server error. */
export function retryable(status: number | null): boolean {
  return status === null || status === 408 || status === 429 || status >= 500;
}

function describeError(e: unknown): string {
  const code = (e as { code?: unknown }).code;
  const known: Record<string, string> = {
    ECONNREFUSED: 'connection refused',
    ECONNRESET: 'connection reset',
    ENOTFOUND: 'host not found',
    EAI_AGAIN: 'host name lookup failed',
    EHOSTUNREACH: 'host unreachable',
    ENETUNREACH: 'network unreachable',
    ETIMEDOUT: 'connection timed out',
    CERT_HAS_EXPIRED: 'the server certificate has expired',
    DEPTH_ZERO_SELF_SIGNED_CERT: 'the server certificate is self-signed',
    UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'the server certificate cannot be verified',
  };
  if (typeof code === 'string') return known[code] !== undefined ? `${known[code]} (${code})` : code;
  return e instanceof Error ? e.message : String(e);
}

/**
 * One POST. Resolves with the status (null and the error when no response came within the time
 * limit); never rejects, except when `signal` aborts before it starts.
 */
export function postOnce(
  url: string,
  body: string,
  opts: { timeoutMs: number; signal?: AbortSignal; userAgent?: string },
): Promise<Omit<DeliveryAttempt, 'attempt'>> {
  const problem = webhookUrlProblem(url);
  if (problem !== null) return Promise.reject(new PrognosError('INVALID_INPUT', `webhook url: the URL ${problem}`));
  const at = new Date().toISOString();
  const started = performance.now();
  return new Promise((resolve) => {
    let settled = false;
    const finish = (status: number | null, error: string | null): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
      resolve({ at, status, error, durationMs: Math.round((performance.now() - started) * 10) / 10 });
    };
    const target = new URL(url);
    const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
    const req = send(target, {
      method: 'POST',
      headers: {
        'content-type': 'application/json; charset=utf-8',
        'content-length': Buffer.byteLength(body),
        'user-agent': opts.userAgent ?? 'Prognos',
      },
    });
    const timer = setTimeout(() => {
      finish(
        null,
        `no answer within ${opts.timeoutMs >= 1000 ? `${opts.timeoutMs / 1000} s` : `${opts.timeoutMs} ms`} (timed out)`,
      );
      req.destroy();
    }, opts.timeoutMs);
    const onAbort = (): void => {
      finish(null, 'cancelled: Prognos is closing');
      req.destroy();
    };
    if (opts.signal?.aborted === true) {
      onAbort();
      return;
    }
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    req.on('response', (res: IncomingMessage) => {
      const status = res.statusCode ?? 0;
      let read = 0;
      res.on('data', (chunk: Buffer) => {
        read += chunk.length;
        if (read > MAX_RESPONSE_BYTES) res.destroy();
      });
      res.on('error', () => undefined);
      // the status is what counts; a body that never ends is cut off rather than holding the socket open
      const drain = setTimeout(() => res.destroy(), opts.timeoutMs);
      res.on('close', () => clearTimeout(drain));
      const ok = status >= 200 && status < 300;
      finish(
        status,
        ok
          ? null
          : `HTTP ${status}${res.statusMessage === undefined || res.statusMessage === '' ? '' : ` ${res.statusMessage.slice(0, 100)}`}`,
      );
      res.resume();
    });
    req.on('error', (e) => finish(null, describeError(e)));
    req.end(body);
  });
}

function sleep(ms: number, signal?: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    if (signal?.aborted === true) {
      resolve(false);
      return;
    }
    const onAbort = (): void => {
      clearTimeout(t);
      resolve(false);
    };
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

export interface DeliveryOutcome {
  readonly delivered: boolean;
  /** stopped by the signal before the last attempt: the delivery stays pending */
  readonly interrupted: boolean;
  readonly lastError: string | null;
  readonly attempts: number;
}

/**
 * POSTs `payload` as JSON until a 2xx answer, a status not worth retrying, or `maxAttempts`.
 * `firstAttempt` continues a delivery that already made attempts. `onAttempt` sees every attempt.
 */
export async function deliverWithRetry(
  url: string,
  payload: unknown,
  policy: RetryPolicy,
  hooks: { onAttempt(a: DeliveryAttempt): void; signal?: AbortSignal; firstAttempt?: number; userAgent?: string },
): Promise<DeliveryOutcome> {
  const body = JSON.stringify(payload);
  let lastError: string | null = null;
  const first = Math.max(1, hooks.firstAttempt ?? 1);
  const aborted = (): boolean => hooks.signal?.aborted === true;
  for (let attempt = first; attempt <= policy.maxAttempts; attempt++) {
    if (attempt > first && !(await sleep(backoffDelay(attempt - 1, policy), hooks.signal))) {
      return { delivered: false, interrupted: true, lastError, attempts: attempt - 1 };
    }
    if (aborted()) return { delivered: false, interrupted: true, lastError, attempts: attempt - 1 };
    const result = await postOnce(url, body, {
      timeoutMs: policy.timeoutMs,
      ...(hooks.signal === undefined ? {} : { signal: hooks.signal }),
      ...(hooks.userAgent === undefined ? {} : { userAgent: hooks.userAgent }),
    });
    if (aborted() && result.status === null) {
      // cut short by closing, not by the receiver: not an attempt, retried when the store opens again
      return { delivered: false, interrupted: true, lastError, attempts: attempt - 1 };
    }
    hooks.onAttempt({ attempt, ...result });
    if (result.status !== null && result.status >= 200 && result.status < 300)
      return { delivered: true, interrupted: false, lastError: null, attempts: attempt };
    lastError = result.error;
    if (!retryable(result.status))
      return {
        delivered: false,
        interrupted: false,
        lastError: `${lastError ?? 'refused'}; not retried`,
        attempts: attempt,
      };
  }
  return { delivered: false, interrupted: false, lastError, attempts: Math.max(first - 1, policy.maxAttempts) };
}
