import { randomBytes } from 'node:crypto';
import { createWriteStream, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Readable } from 'node:stream';
import { PrognosError } from '../../shared/errors';

/** Files uploaded by a browser-mode client, kept until imported or the server stops. */
export class UploadArea {
  private readonly files = new Map<string, { path: string; fileName: string }>();
  constructor(private readonly dir: string) {}

  async receive(fileName: string, body: Readable, maxBytes = 4 * 1024 ** 3): Promise<string> {
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
    for (const id of [...this.files.keys()]) this.discard(id);
    rmSync(this.dir, { recursive: true, force: true });
  }
}
