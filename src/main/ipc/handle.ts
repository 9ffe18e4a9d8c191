import type { Result } from '../../shared/errors';
import type { Handlers } from '../services/app-services';
import { dispatch } from '../services/dispatch';

/** What the IPC layer knows of a caller: the frame's URL and whether it is our window's main frame. */
export interface SenderInfo {
  readonly url: string;
  readonly isOurMainFrame: boolean;
}

/**
 * The one IPC handler: the sender must be our own window's main frame showing one of our pages,
 * the channel must be in the contract and the input must parse. Everything else is refused as a value.
 */
export function createIpcHandler(handlers: Handlers, isOwnPage: (url: string) => boolean) {
  return async (sender: SenderInfo, channel: string, input: unknown): Promise<Result<unknown>> => {
    if (!sender.isOurMainFrame || !isOwnPage(sender.url)) {
      return { ok: false, error: { code: 'FORBIDDEN', message: 'Calls are accepted only from the Prognos window.' } };
    }
    return dispatch(handlers, channel, input);
  };
}
