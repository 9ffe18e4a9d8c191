/**
 * How an import tells C-MAPSS text from CSV by its first bytes. Only plain code here (no imports), so
 * that `prognos import` can look at a file before it loads the parser, zod and the store.
 */

/** Bytes of a UTF-8 byte-order mark at the start of `bytes[0, end)` (3 or 0). */
export function bomLength(bytes: Uint8Array, end: number): number {
  return end >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
}

/** Whether `bytes[start, end)` holds only spaces, tabs and line ends. */
export function isBlank(bytes: Uint8Array, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const b = bytes[i];
    if (b !== 32 && b !== 9 && b !== 13 && b !== 10) return false;
  }
  return true;
}

/**
 * CSV when the first non-blank line has a comma; otherwise C-MAPSS text (whitespace-separated), so a
 * stray word in a C-MAPSS row is reported as a non-numeric cell rather than read as a CSV header.
 */
export function detectFormat(bytes: Buffer, start: number, end: number): 'cmapss' | 'csv' {
  let i = start;
  while (i < end) {
    let eol = bytes.indexOf(10, i);
    if (eol < 0 || eol > end) eol = end;
    if (!isBlank(bytes, i, eol)) {
      const line = bytes.toString('utf8', i, eol);
      return line.includes(',') ? 'csv' : 'cmapss';
    }
    i = eol + 1;
  }
  return 'cmapss';
}
