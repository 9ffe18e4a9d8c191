/**
 * Builds the object exposed as `window.prognos`: one method per contract channel, `on` for events
 * (returns an unsubscribe). No generic invoke, and no file paths: main accepts a file only as bytes
 * (uploads) or as a one-time handle from its own open dialog. Frozen.
 */
import { CHANNELS, EVENT_NAMES, methodName, type Channel, type EventName, type PrognosApi } from '../shared/contract';
import { PrognosError, type Result } from '../shared/errors';

export type BridgeApi = PrognosApi;

export interface BridgeTransport {
  invoke(channel: Channel, input: unknown): Promise<Result<unknown>>;
  subscribe(listener: (event: string, payload: unknown) => void): () => void;
}

export function buildBridge(t: BridgeTransport): Readonly<BridgeApi> {
  const api: Record<string, unknown> = {};
  for (const channel of CHANNELS) {
    api[methodName(channel)] = async (input: unknown) => {
      const r = await t.invoke(channel, input ?? {});
      if (!r.ok) throw PrognosError.fromValue(r.error);
      return r.value;
    };
  }
  api.on = (event: EventName, listener: (payload: unknown) => void) => {
    if (!EVENT_NAMES.includes(event)) throw new PrognosError('INVALID_INPUT', `Unknown event "${String(event)}".`);
    return t.subscribe((name, payload) => {
      if (name === event) listener(payload);
    });
  };
  return Object.freeze(api) as unknown as Readonly<BridgeApi>;
}
