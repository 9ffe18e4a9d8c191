'use strict';
/**
 * The environment of a large `prognos import`. Such an import fills hundreds of MiB of fresh memory
 * (the parsed columns, SQLite's copies of each column blob), and on Linux every 4 KiB page of it is a
 * page fault; a 1,000,000-row file took ~88,000 of them. Where the kernel hands out transparent huge
 * pages only on request (THP mode "madvise", the default of many distributions), glibc's malloc asks
 * for them when `GLIBC_TUNABLES` holds `glibc.malloc.hugetlb=1`: ~35,000 faults, and the whole import
 * took 15 % less CPU and 10 % less time (`npm run bench -- import-1m`, the launcher's second start
 * included). glibc reads the setting only as a process starts, so the launcher starts the import again
 * with it; a small file is not worth the second start (~0.1 s), and a setting of the user's own
 * (`glibc.malloc.hugetlb` in GLIBC_TUNABLES) is left as it is.
 */
const { readFileSync, statSync } = require('node:fs');

const HUGETLB = 'glibc.malloc.hugetlb=1';
/** Input files from this size on are imported with huge pages. */
const LARGE_INPUT_BYTES = 32 * 1024 * 1024;

/** The kernel's transparent huge page mode ("always", "madvise", "never"), or undefined where there is none. */
function thpMode() {
  try {
    const m = /\[(\w+)\]/.exec(readFileSync('/sys/kernel/mm/transparent_hugepage/enabled', 'utf8'));
    return m === null ? undefined : m[1];
  } catch {
    return undefined;
  }
}

/** A regular file's size in bytes; 0 for anything else (the import itself reports what is wrong). */
function fileSize(path) {
  try {
    const s = statSync(path);
    return s.isFile() ? s.size : 0;
  } catch {
    return 0;
  }
}

/**
 * The environment to run `args` in when it should differ from `env`: a `prognos import` of a file of
 * LARGE_INPUT_BYTES or more, on Linux with THP on request, gets glibc's huge-page malloc. Otherwise
 * undefined (run as it is).
 */
function bulkEnv(args, env, probe = { platform: process.platform, thpMode, fileSize }) {
  if (args[0] !== 'import' || probe.platform !== 'linux') return undefined;
  const tunables = env.GLIBC_TUNABLES === undefined ? '' : env.GLIBC_TUNABLES;
  if (/(^|:)glibc\.malloc\.hugetlb=/.test(tunables)) return undefined;
  if (probe.thpMode() !== 'madvise') return undefined;
  if (!args.slice(1).some((a) => !a.startsWith('-') && probe.fileSize(a) >= LARGE_INPUT_BYTES)) return undefined;
  return { ...env, GLIBC_TUNABLES: tunables === '' ? HUGETLB : `${tunables}:${HUGETLB}` };
}

module.exports = { bulkEnv, LARGE_INPUT_BYTES };
