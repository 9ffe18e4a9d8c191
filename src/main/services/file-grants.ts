import { randomBytes } from 'node:crypto';
import { basename } from 'node:path';
import { PrognosError } from '../../shared/errors';

/** How long a file chosen in the open dialog may wait before it is used. */
export const GRANT_TTL_MS = 10 * 60 * 1000;
const MAX_PENDING = 64;

export interface FileGrant {
  readonly grant: string;
  readonly fileName: string;
}

/**
 * One-time handles for files the user chose in main's own open dialog (Electron). The renderer only
 * ever sees the handle and the file's name; the path stays in main. A handle is random, consumed on
 * use and expires, so a renderer can neither name a path nor replay a handle.
 */
export class FileGrants {
  private readonly pending = new Map<string, { path: string; expires: number }>();
  constructor(
    private readonly ttlMs = GRANT_TTL_MS,
    private readonly now: () => number = Date.now,
  ) {}

  /** Called only with a path that main's open dialog returned. */
  issue(path: string): FileGrant {
    this.prune();
    while (this.pending.size >= MAX_PENDING) this.pending.delete(this.pending.keys().next().value!);
    const grant = `gr_${randomBytes(24).toString('base64url')}`;
    this.pending.set(grant, { path, expires: this.now() + this.ttlMs });
    return { grant, fileName: basename(path) };
  }

  /** The granted path, once; unknown, used or expired handles are refused with FORBIDDEN. */
  consume(grant: string): { path: string; fileName: string } {
    this.prune();
    const g = this.pending.get(grant);
    if (g === undefined)
      throw new PrognosError(
        'FORBIDDEN',
        'This file was not chosen in the open dialog, or its permission was used or has expired; choose it again.',
      );
    this.pending.delete(grant);
    return { path: g.path, fileName: basename(g.path) };
  }

  /** Whether a handle is still usable (without consuming it). */
  has(grant: string): boolean {
    this.prune();
    return this.pending.has(grant);
  }

  private prune(): void {
    const t = this.now();
    for (const [id, g] of this.pending) if (g.expires <= t) this.pending.delete(id);
  }
}
