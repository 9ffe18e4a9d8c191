import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { buildBridge } from './bridge';
import type { Result } from '../shared/errors';
import { IPC_EVENT as EVENT, IPC_INVOKE as INVOKE } from '../shared/ipc';

const api = buildBridge({
  invoke: (channel, input) => ipcRenderer.invoke(INVOKE, channel, input) as Promise<Result<unknown>>,
  subscribe: (listener) => {
    const wrapped = (_e: IpcRendererEvent, name: string, payload: unknown): void => listener(name, payload);
    ipcRenderer.on(EVENT, wrapped);
    return () => {
      ipcRenderer.off(EVENT, wrapped);
    };
  },
});

contextBridge.exposeInMainWorld('prognos', api);
