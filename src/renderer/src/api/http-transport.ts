import { z } from 'zod';
import {
  CHANNELS,
  EVENT_NAMES,
  channels,
  events,
  methodName,
  type Channel,
  type ChannelInput,
  type ChannelOutput,
  type EventName,
  type EventPayload,
  type PrognosApi,
} from '../../../shared/contract';
import { PrognosError } from '../../../shared/errors';
import { errorSchema } from '../../../shared/error-schema';
import type { FileTransferProgress, Transport } from './transport';

/** Channels that start a background job: their progress arrives as events, so the stream must be open first. */
const JOB_STARTING_CHANNELS: ReadonlySet<Channel> = new Set<Channel>([
  'datasets:import',
  'datasets:synth',
  'features:rank',
  'train:start',
  'fleet:score',
  'bundles:export',
  // the running jobs' history so far: the events that follow it must not be missed
  'jobs:list',
]);
const EVENT_STREAM_OPEN_TIMEOUT_MS = 4000;

const uploadValueSchema = z.object({ uploadId: z.string().min(1) });

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null;
}

function missingToken(): PrognosError {
  return new PrognosError(
    'FORBIDDEN',
    'This page has no access token. Open the address printed by `prognos serve` (it ends in ?token=…).',
  );
}

/** Unwraps the `{ ok, value | error }` envelope every browser-mode response carries. */
function unwrapEnvelope(body: unknown, status: number): unknown {
  if (isRecord(body) && body.ok === true && 'value' in body) return body.value;
  if (isRecord(body) && body.ok === false) {
    const parsed = errorSchema.safeParse(body.error);
    if (parsed.success) throw PrognosError.fromValue(parsed.data);
  }
  throw new PrognosError('INTERNAL', `The server sent an unexpected answer (HTTP ${status}).`);
}

function parseJson(text: string, status: number): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    const code = status === 401 || status === 403 ? 'FORBIDDEN' : 'INTERNAL';
    throw new PrognosError(code, `The server answered HTTP ${status} without a readable body.`);
  }
}

type Listener = (payload: unknown) => void;

/** One shared server-sent event stream, opened on first use and fanned out to subscribers. */
class EventStream {
  private source: EventSource | null = null;
  private opened: Promise<void> | null = null;
  private readonly listeners = new Map<EventName, Set<Listener>>();

  constructor(private readonly token: string) {}

  subscribe<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void {
    this.connect();
    let set = this.listeners.get(event);
    if (set === undefined) {
      set = new Set();
      this.listeners.set(event, set);
    }
    const wrapped: Listener = (payload) => listener(payload as EventPayload<E>);
    set.add(wrapped);
    return () => {
      set.delete(wrapped);
    };
  }

  /** Resolves once the stream is open (or after a timeout, so a slow stream never blocks a call forever). */
  ready(): Promise<void> {
    this.connect();
    return this.opened ?? Promise.resolve();
  }

  private connect(): void {
    if (this.source !== null) return;
    const source = new EventSource(`/api/events?token=${encodeURIComponent(this.token)}`);
    this.source = source;
    this.opened = new Promise<void>((resolve) => {
      const timer = window.setTimeout(resolve, EVENT_STREAM_OPEN_TIMEOUT_MS);
      source.addEventListener(
        'open',
        () => {
          window.clearTimeout(timer);
          resolve();
        },
        { once: true },
      );
    });
    for (const name of EVENT_NAMES) {
      source.addEventListener(name, (e: MessageEvent<string>) => this.dispatch(name, e.data));
    }
  }

  private dispatch(name: EventName, data: string): void {
    let raw: unknown;
    try {
      raw = JSON.parse(data) as unknown;
    } catch {
      return;
    }
    const parsed = events[name].safeParse(raw);
    if (!parsed.success) return;
    for (const listener of this.listeners.get(name) ?? []) {
      try {
        listener(parsed.data);
      } catch {
        // one faulty subscriber must not starve the others
      }
    }
  }
}

function uploadFile(
  file: File,
  token: string,
  onProgress?: (p: FileTransferProgress) => void,
  signal?: AbortSignal,
): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    if (signal?.aborted === true) {
      reject(new PrognosError('CANCELLED', 'Upload cancelled.'));
      return;
    }
    const xhr = new XMLHttpRequest();
    xhr.open('POST', `/api/upload?name=${encodeURIComponent(file.name)}`);
    xhr.setRequestHeader('Authorization', `Bearer ${token}`);
    xhr.setRequestHeader('Content-Type', 'application/octet-stream');
    xhr.upload.onprogress = (e) => {
      onProgress?.({ loaded: e.loaded, total: e.lengthComputable ? e.total : file.size });
    };
    xhr.onload = () => {
      try {
        const value = unwrapEnvelope(parseJson(xhr.responseText, xhr.status), xhr.status);
        const parsed = uploadValueSchema.safeParse(value);
        if (!parsed.success) throw new PrognosError('INTERNAL', 'The server did not return an upload id.');
        resolve(parsed.data.uploadId);
      } catch (e) {
        reject(e instanceof Error ? e : new PrognosError('INTERNAL', String(e)));
      }
    };
    xhr.onerror = () =>
      reject(new PrognosError('INTERNAL', `Uploading ${file.name} failed: the server could not be reached.`));
    xhr.onabort = () => reject(new PrognosError('CANCELLED', 'Upload cancelled.'));
    signal?.addEventListener('abort', () => xhr.abort(), { once: true });
    xhr.send(file);
  });
}

/** The file name of a `content-disposition: attachment; filename="…"` header (the server sends a plain one). */
function attachmentName(header: string | null): string | null {
  const m = header === null ? null : /filename="([^"\\/]+)"/.exec(header);
  return m?.[1] ?? null;
}

/** Offers bytes as a download: a Blob behind an `<a download>`, released once the click is handled. */
function offerDownload(blob: Blob, fileName: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  a.rel = 'noopener';
  document.body.appendChild(a);
  a.click();
  a.remove();
  window.setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

/** Browser mode: the same contract over `POST /api/rpc/<channel>` and server-sent events. */
export function createHttpTransport(token: string | null): Transport {
  const stream = token === null ? null : new EventStream(token);

  async function call<C extends Channel>(channel: C, input: ChannelInput<C>): Promise<ChannelOutput<C>> {
    if (token === null || stream === null) throw missingToken();
    if (JOB_STARTING_CHANNELS.has(channel)) await stream.ready();
    let response: Response;
    try {
      response = await fetch(`/api/rpc/${channel}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
        body: JSON.stringify(input),
      });
    } catch {
      throw new PrognosError('INTERNAL', 'The Prognos server could not be reached. Is `prognos serve` still running?');
    }
    const value = unwrapEnvelope(parseJson(await response.text(), response.status), response.status);
    const checked = channels[channel].output.safeParse(value);
    if (!checked.success) {
      throw new PrognosError('INTERNAL', `The server's answer to ${channel} does not match the contract.`);
    }
    return checked.data as ChannelOutput<C>;
  }

  const methods: Record<string, unknown> = {};
  for (const channel of CHANNELS) {
    methods[methodName(channel)] = (input: ChannelInput<typeof channel>) => call(channel, input);
  }
  methods.on = <E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): (() => void) =>
    stream === null ? () => undefined : stream.subscribe(event, listener);
  const api = Object.freeze(methods) as unknown as PrognosApi;

  return {
    mode: 'browser',
    api,
    async sourceForFile(file, options) {
      if (token === null) throw missingToken();
      const uploadId = await uploadFile(file, token, options?.onProgress, options?.signal);
      return { kind: 'upload', uploadId, fileName: file.name };
    },
    async saveBundle(bundleId) {
      if (token === null) throw missingToken();
      let response: Response;
      try {
        response = await fetch(`/api/download/bundle?bundleId=${encodeURIComponent(bundleId)}`, {
          headers: { Authorization: `Bearer ${token}` },
        });
      } catch {
        throw new PrognosError('INTERNAL', 'The Prognos server could not be reached. Is `prognos serve` still running?');
      }
      if (!response.ok) {
        unwrapEnvelope(parseJson(await response.text(), response.status), response.status);
        throw new PrognosError('INTERNAL', `The download failed (HTTP ${response.status}).`);
      }
      const blob = await response.blob();
      const fileName = attachmentName(response.headers.get('content-disposition')) ?? 'bundle.zip';
      offerDownload(blob, fileName);
      return { fileName, path: null, bytes: blob.size };
    },
  };
}
