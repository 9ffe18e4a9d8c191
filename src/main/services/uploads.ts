import { randomBytes } from 'node:crypto';
import { createWriteStream, mkdirSync, rmSync } from 'node:fs';
import { appendFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Readable } from 'node:stream';
import { PrognosError } from '../../shared/errors';

/**
 * An upload's name is a plain file name, never a path: no `/` or `\`, no drive (`C:`), not `.` or
 * `..`, no NUL or other control characters, at most 255 characters. Returns the reason it is not, or
 * undefined when it is fine.
 */
export function uploadNameProblem(name: string): string | undefined {
  if (name === '') return 'is empty';
  if (name.length > 255) return 'is longer than 255 characters';
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(name)) return 'contains a control character (NUL, newline…)';
  if (name.includes('/') || name.includes('\\')) return 'has a path part (/ or \\); send the file name only';
  if (/^[a-zA-Z]:/.test(name)) return 'starts with a drive (C:); send the file name only';
  if (name === '.' || name === '..') return 'is not a file name';
  return undefined;
}

/** Files uploaded by a browser-mode client, kept until imported or the server stops. */
export class UploadArea {
  private readonly files = new Map<string, { path: string; fileName: string }>();
  private readonly partial = new Map<string, { path: string; fileName: string; size: number }>();
  constructor(private readonly dir: string) {}

  async receive(fileName: string, body: Readable, maxBytes = 4 * 1024 ** 3): Promise<string> {
    const problem = uploadNameProblem(fileName);
    if (problem !== undefined) throw new PrognosError('INVALID_INPUT', `name: the upload name ${JSON.stringify(fileName.slice(0, 80))} ${problem}.`);
    mkdirSync(this.dir, { recursive: true });
    const uploadId = `up_${randomBytes(8).toString('hex')}`;
    const path = join(this.dir, uploadId);
    let size = 0;
    body.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) body.destroy(new PrognosError('INVALID_INPUT', `${fileName}: upload larger than ${maxBytes} bytes`));
    });
    try {
      await pipeline(body, createWriteStream(path));
    } catch (e) {
      rmSync(path, { force: true });
      throw e;
    }
    this.files.set(uploadId, { path, fileName });
    return uploadId;
  }

  /**
   * Receives a file in chunks (desktop app: a dropped file's bytes over IPC). Without an upload id a
   * new upload starts; the chunk with `done` completes it. Until then the upload cannot be imported.
   */
  async receiveChunk(uploadId: string | undefined, fileName: string, data: Uint8Array, done: boolean, maxBytes = 4 * 1024 ** 3): Promise<string> {
    let id = uploadId;
    if (id === undefined) {
      mkdirSync(this.dir, { recursive: true });
      id = `up_${randomBytes(8).toString('hex')}`;
      this.partial.set(id, { path: join(this.dir, id), fileName, size: 0 });
    }
    const p = this.partial.get(id);
    if (p === undefined || p.fileName !== fileName) throw new PrognosError('NOT_FOUND', `${fileName}: no upload in progress with that id; send the file again.`);
    p.size += data.byteLength;
    if (p.size > maxBytes) {
      this.partial.delete(id);
      rmSync(p.path, { force: true });
      throw new PrognosError('INVALID_INPUT', `${fileName}: upload larger than ${maxBytes} bytes`);
    }
    await appendFile(p.path, data);
    if (done) {
      this.partial.delete(id);
      this.files.set(id, { path: p.path, fileName });
    }
    return id;
  }

  resolve(uploadId: string): { path: string; fileName: string } {
    const f = this.files.get(uploadId);
    if (f === undefined) throw new PrognosError('NOT_FOUND', `No uploaded file ${uploadId}; upload it again.`);
    return f;
  }

  discard(uploadId: string): void {
    const f = this.files.get(uploadId);
    if (f === undefined) return;
    rmSync(f.path, { force: true });
    this.files.delete(uploadId);
  }

  clear(): void {
    this.partial.clear();
    for (const id of [...this.files.keys()]) this.discard(id);
    rmSync(this.dir, { recursive: true, force: true });
  }
}
