/**
 * Half-written files left by an interrupted write, and cleaning them up when a store opens.
 *
 * Who writes them:
 * - `store backup` writes `<target>.<12 hex>.partial` beside the target (anywhere on disk), then
 *   renames it. The store records each such file in `<store>/.pending/` with its owner process while
 *   the write lasts, so that a store opening later can remove the file of an owner that died.
 * - `store restore` copies the backup to `<store>/.prognos.db.restore-<12 hex>` before checking it.
 * - a bundle export writes `.<name>.partial-<12 hex>` (file or folder) beside its destination; the
 *   app's exports go to `<store>/bundles/`.
 * - browser mode keeps uploaded files in `<store>/uploads/up_<16 hex>` until they are imported or the
 *   server stops; a server that died leaves them there.
 * Artifacts and reports are written inside SQLite transactions and leave nothing behind.
 *
 * The files in the store folder and its bundle library carry no owner, so they count as stale once
 * nothing has written to them for `staleAfterMs` (a live export keeps touching its folder); an upload
 * waits for its import, so only one a day old counts as left behind.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, isAbsolute, join } from 'node:path';
import { ownerIsAlive, selfOwner, SYSTEM_PROBE, type Owner, type OwnerProbe } from './owner';

export const PENDING_DIR = '.pending';
const SQLITE_SIDE = '(?:-wal|-shm|-journal)?';
/** `store backup`'s partial file (and SQLite's companions of it). */
export const BACKUP_PARTIAL = new RegExp(`^.+\\.[0-9a-f]{12}\\.partial${SQLITE_SIDE}$`);
const RESTORE_TEMP = new RegExp(`^\\.prognos\\.db\\.restore-[0-9a-f]{12}${SQLITE_SIDE}$`);
const BUNDLE_PARTIAL = /^\..+\.partial-[0-9a-f]{12}$/;
const UPLOAD = /^up_[0-9a-f]{16}$/;
const UPLOAD_STALE_MS = 24 * 60 * 60_000;

interface PendingRecord {
  path: string;
  pid: number;
  start: string | null;
}

function isPendingRecord(x: unknown): x is PendingRecord {
  if (typeof x !== 'object' || x === null) return false;
  const r = x as Record<string, unknown>;
  return typeof r.path === 'string' && typeof r.pid === 'number' && (r.start === null || typeof r.start === 'string');
}

function removeWithCompanions(path: string): void {
  for (const f of [path, `${path}-wal`, `${path}-shm`, `${path}-journal`]) rmSync(f, { recursive: true, force: true });
}

/**
 * Records that this process is writing the partial file `path` for the store in `storeDir`;
 * the returned function forgets it (call it once the file is renamed or removed).
 */
export function trackPartial(storeDir: string, path: string): () => void {
  const dir = join(storeDir, PENDING_DIR);
  mkdirSync(dir, { recursive: true });
  const marker = join(dir, `${randomBytes(6).toString('hex')}.json`);
  const owner = selfOwner();
  writeFileSync(marker, JSON.stringify({ path, pid: owner.pid, start: owner.start } satisfies PendingRecord));
  return () => rmSync(marker, { force: true });
}

export interface CleanOptions {
  /** a partial file in the store folder untouched for this long is stale (ms) */
  staleAfterMs: number;
  now?: number;
  probe?: OwnerProbe;
}

/** Removes stale partial files of the store in `storeDir`; returns the paths removed. */
export function cleanStalePartials(storeDir: string, o: CleanOptions): string[] {
  const now = o.now ?? Date.now();
  const probe = o.probe ?? SYSTEM_PROBE;
  const removed: string[] = [];
  const list = (dir: string): string[] => {
    try {
      return readdirSync(dir);
    } catch {
      return [];
    }
  };

  // partial files written elsewhere, recorded with their owner
  const pendingDir = join(storeDir, PENDING_DIR);
  for (const name of list(pendingDir)) {
    const marker = join(pendingDir, name);
    let record: unknown;
    try {
      record = JSON.parse(readFileSync(marker, 'utf8'));
    } catch {
      record = undefined;
    }
    if (!isPendingRecord(record)) {
      rmSync(marker, { force: true });
      continue;
    }
    const owner: Owner = { pid: record.pid, start: record.start };
    if (ownerIsAlive(owner, probe)) continue;
    // only ever a partial file of the recorded kind: a marker cannot make us delete anything else
    if (isAbsolute(record.path) && BACKUP_PARTIAL.test(basename(record.path))) {
      removeWithCompanions(record.path);
      removed.push(record.path);
    }
    rmSync(marker, { force: true });
  }

  // partial files in the store folder and its bundle library
  const scans: [string, RegExp, number][] = [
    [storeDir, RESTORE_TEMP, o.staleAfterMs],
    [storeDir, BUNDLE_PARTIAL, o.staleAfterMs],
    [join(storeDir, 'bundles'), BUNDLE_PARTIAL, o.staleAfterMs],
    [join(storeDir, 'uploads'), UPLOAD, Math.max(o.staleAfterMs, UPLOAD_STALE_MS)],
  ];
  for (const [dir, pattern, staleAfterMs] of scans) {
    for (const name of list(dir)) {
      if (!pattern.test(name)) continue;
      const path = join(dir, name);
      let mtime: number;
      try {
        mtime = statSync(path).mtimeMs;
      } catch {
        continue;
      }
      if (now - mtime < staleAfterMs) continue;
      rmSync(path, { recursive: true, force: true });
      removed.push(path);
    }
  }
  return removed;
}
