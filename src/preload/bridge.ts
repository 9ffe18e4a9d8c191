/**
 * Builds the object exposed as `window.prognos`: one method per contract channel, `on` for events
 * (returns an unsubscribe) and `pathForFile` for dropped/picked files. No generic invoke. Frozen.
 */
import { CHANNELS, EVENT_NAMES, methodName, type Channel, type EventName, type PrognosApi } from '../shared/contract';
import { PrognosError, type Result } from '../shared/errors';

export type BridgeApi = PrognosApi & { pathForFile(file: File): string };

export interface BridgeTransport {
  invoke(channel: Channel, input: unknown): Promise<Result<unknown>>;
  subscribe(listener: (event: string, payload: unknown) => void): () => void;
  pathForFile(file: File): string;
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
  api.pathForFile = (file: File) => t.pathForFile(file);
  return Object.freeze(api) as unknown as Readonly<BridgeApi>;
}
