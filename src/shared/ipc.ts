/** The two raw IPC names under the typed bridge: calls go through one, events through the other. */
export const IPC_INVOKE = 'prognos:invoke';
export const IPC_EVENT = 'prognos:event';
