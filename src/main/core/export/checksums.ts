/** SHA-256 digests and the `sha256sum` text format (`<hex>  <path>` per line, checkable with `sha256sum -c`). */
import { createHash } from 'node:crypto';

export const SUMS_FILE = 'SHA256SUMS';

export function sha256Hex(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

export interface SumEntry {
  readonly path: string;
  readonly sha256: string;
}

/** Paths that sha256sum writes without escaping and that are safe inside a bundle. */
export function isPlainBundlePath(path: string): boolean {
  return (
    path.length > 0 &&
    !/[\\\n\r\0]/.test(path) &&
    !path.startsWith('/') &&
    !/^[A-Za-z]:/.test(path) &&
    path.split('/').every((seg) => seg !== '' && seg !== '.' && seg !== '..')
  );
}

/** One line per file, sorted by path, LF line ends. */
export function formatSums(entries: readonly SumEntry[]): string {
  const sorted = [...entries].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return sorted.map((e) => `${e.sha256}  ${e.path}\n`).join('');
}

export interface ParsedSums {
  readonly entries: SumEntry[];
  /** Reasons for lines that could not be read (with their line numbers). */
  readonly problems: string[];
}

/** Reads sha256sum output (text or binary mode markers); duplicate and unsafe paths are problems. */
export function parseSums(text: string): ParsedSums {
  const entries: SumEntry[] = [];
  const problems: string[] = [];
  const seen = new Set<string>();
  text.split('\n').forEach((raw, i) => {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line === '') return;
    const m = /^([0-9a-fA-F]{64}) [ *](.+)$/.exec(line);
    if (m === null) {
      problems.push(`line ${i + 1} is not "<sha256>  <file>"`);
      return;
    }
    const path = m[2]!;
    if (!isPlainBundlePath(path)) problems.push(`line ${i + 1} names an unsafe path`);
    else if (seen.has(path)) problems.push(`line ${i + 1} lists ${path} twice`);
    else {
      seen.add(path);
      entries.push({ path, sha256: m[1]!.toLowerCase() });
    }
  });
  return { entries, problems };
}
