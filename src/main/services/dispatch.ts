import { channels, isChannel } from '../../shared/contract';
import { toErrorValue, type Result } from '../../shared/errors';
import type { Handlers } from './app-services';
import { logger } from './logger';
import { forClient } from './redact';

const log = logger('dispatch');

/**
 * The one entry for every transport: channel known, input parsed with the contract's schema,
 * handler called, errors returned as values with a closed set of codes.
 */
export async function dispatch(handlers: Handlers, channel: string, rawInput: unknown): Promise<Result<unknown>> {
  if (!isChannel(channel)) return { ok: false, error: { code: 'FORBIDDEN', message: `Unknown channel "${channel}".` } };
  const parsed = channels[channel].input.safeParse(rawInput ?? {});
  if (!parsed.success) return { ok: false, error: toErrorValue(parsed.error) };
  try {
    const handler = handlers[channel] as (input: unknown) => Promise<unknown>;
    const value = await handler(parsed.data);
    return { ok: true, value };
  } catch (e) {
    const error = toErrorValue(e);
    if (error.code === 'INTERNAL') log.error(`${channel} failed`, e);
    return { ok: false, error: forClient(error) };
  }
}
