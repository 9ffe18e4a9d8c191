'use strict';
/**
 * The environment of a large `prognos import`. Such an import fills hundreds of MiB of fresh memory
 * (the parsed columns, SQLite's copies of each column blob), and on Linux every 4 KiB page of it is a
 * page fault; a 1,000,000-row file took ~88,000 of them. Where the kernel hands out transparent huge
 * pages only on request (THP mode "madvise", the default of many distributions), glibc's malloc (2.35
 * and later) asks for them when `GLIBC_TUNABLES` holds `glibc.malloc.hugetlb=1`: ~35,000 faults, and
 * the whole import took 15 % less CPU and 10 % less time (GNU time's page faults, CPU and wall time
 * over runs of `prognos import` of the import-1m benchmark's file, with and without, in turn; the
 * launcher's second start included). glibc reads the setting only as a process starts, so the launcher
 * starts the import again with it; a small file is not worth the second start (~0.1 s), and a setting
 * of the user's own (`glibc.malloc.hugetlb` in GLIBC_TUNABLES) is left as it is.
 */
const { readFileSync, statSync } = require('node:fs');
const { parseArgs } = require('node:util');

const HUGETLB = 'glibc.malloc.hugetlb=1';
/** Input files from this size on are imported with huge pages. */
const LARGE_INPUT_BYTES = 32 * 1024 * 1024;
/** `prognos import`'s options (src/main/cli/commands/import.ts; a unit test keeps the two the same), to find its FILE. */
const IMPORT_ARGS = Object.freeze({
  rul: { type: 'string' },
  format: { type: 'string' },
  map: { type: 'string' },
  columns: { type: 'string' },
  name: { type: 'string' },
  reuse: { type: 'boolean' },
  'as-new': { type: 'string' },
  store: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
});
/** glibc's version from which glibc.malloc.hugetlb exists. */
const HUGETLB_GLIBC = [2, 35];

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

/** The running glibc's version ("2.36"), or undefined (another C library, or not Linux). */
function glibcVersion() {
  try {
    const header = process.report.getReport().header;
    return typeof header.glibcVersionRuntime === 'string' ? header.glibcVersionRuntime : undefined;
  } catch {
    return undefined;
  }
}

/** Whether glibc `version` knows glibc.malloc.hugetlb. */
function hasHugetlbTunable(version) {
  const m = /^(\d+)\.(\d+)/.exec(version === undefined ? '' : version);
  if (m === null) return false;
  const [major, minor] = [Number(m[1]), Number(m[2])];
  return major > HUGETLB_GLIBC[0] || (major === HUGETLB_GLIBC[0] && minor >= HUGETLB_GLIBC[1]);
}

/** The FILE of `prognos import [options] FILE`, or undefined when the arguments do not parse (the import says why). */
function importFile(args) {
  try {
    return parseArgs({ args: args.slice(1), options: IMPORT_ARGS, allowPositionals: true, strict: true }).positionals[0];
  } catch {
    return undefined;
  }
}

/**
 * The environment to run `args` in when it should differ from `env`: a `prognos import` of a file of
 * LARGE_INPUT_BYTES or more, on Linux with glibc 2.35 or later and THP on request, gets glibc's
 * huge-page malloc. Otherwise undefined (run as it is).
 */
function bulkEnv(args, env, probe = { platform: process.platform, thpMode, fileSize, glibcVersion }) {
  if (args[0] !== 'import' || probe.platform !== 'linux') return undefined;
  const tunables = env.GLIBC_TUNABLES === undefined ? '' : env.GLIBC_TUNABLES;
  if (/(^|:)glibc\.malloc\.hugetlb=/.test(tunables)) return undefined;
  const file = importFile(args);
  if (file === undefined || file === '-' || probe.fileSize(file) < LARGE_INPUT_BYTES) return undefined;
  if (probe.thpMode() !== 'madvise' || !hasHugetlbTunable(probe.glibcVersion())) return undefined;
  return { ...env, GLIBC_TUNABLES: tunables === '' ? HUGETLB : `${tunables}:${HUGETLB}` };
}

module.exports = { bulkEnv, IMPORT_ARGS, LARGE_INPUT_BYTES, hasHugetlbTunable };
