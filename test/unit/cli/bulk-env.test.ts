/** bin/bulk-env.cjs: which `prognos` runs the launcher starts again with glibc's huge-page malloc. */
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

import { IMPORT_OPTIONS } from '../../../src/main/cli/commands/import';

type Probe = { platform: string; thpMode: () => string | undefined; fileSize: (path: string) => number; glibcVersion: () => string | undefined };
const { bulkEnv, IMPORT_ARGS, LARGE_INPUT_BYTES } = createRequire(import.meta.url)(join(__dirname, '..', '..', '..', 'bin', 'bulk-env.cjs')) as {
  bulkEnv: (args: string[], env: Record<string, string | undefined>, probe?: Probe) => Record<string, string | undefined> | undefined;
  IMPORT_ARGS: Record<string, { type: string }>;
  LARGE_INPUT_BYTES: number;
};

const sizes: Record<string, number> = { 'big.txt': LARGE_INPUT_BYTES, 'small.txt': LARGE_INPUT_BYTES - 1, 'rul.txt': 100 };
const probe = (over: Partial<Probe> = {}): Probe => ({ platform: 'linux', thpMode: () => 'madvise', fileSize: (p) => sizes[p] ?? 0, glibcVersion: () => '2.36', ...over });

describe('bulkEnv', () => {
  it('adds glibc.malloc.hugetlb=1 for an import of a large file, keeping the rest of the environment', () => {
    const env = bulkEnv(['import', 'big.txt', '--store', 'st'], { PATH: '/bin' }, probe());
    expect(env).toEqual({ PATH: '/bin', GLIBC_TUNABLES: 'glibc.malloc.hugetlb=1' });
    // the file may come after options and beside a small RUL file
    expect(bulkEnv(['import', '--rul', 'rul.txt', 'big.txt'], {}, probe())?.GLIBC_TUNABLES).toBe('glibc.malloc.hugetlb=1');
  });

  it("appends to the user's own tunables, and leaves a hugetlb setting of theirs alone", () => {
    expect(bulkEnv(['import', 'big.txt'], { GLIBC_TUNABLES: 'glibc.malloc.arena_max=2' }, probe())?.GLIBC_TUNABLES).toBe('glibc.malloc.arena_max=2:glibc.malloc.hugetlb=1');
    expect(bulkEnv(['import', 'big.txt'], { GLIBC_TUNABLES: 'glibc.malloc.hugetlb=0' }, probe())).toBeUndefined();
    expect(bulkEnv(['import', 'big.txt'], { GLIBC_TUNABLES: 'glibc.malloc.arena_max=2:glibc.malloc.hugetlb=2' }, probe())).toBeUndefined();
    // the relaunched process itself is not started a third time
    const once = bulkEnv(['import', 'big.txt'], {}, probe())!;
    expect(bulkEnv(['import', 'big.txt'], once, probe())).toBeUndefined();
  });

  it('runs everything else as it is: small files, other commands, other platforms, THP always or never', () => {
    expect(bulkEnv(['import', 'small.txt'], {}, probe())).toBeUndefined();
    expect(bulkEnv(['import', 'missing.txt'], {}, probe())).toBeUndefined();
    expect(bulkEnv(['import', '--name', 'x'], {}, probe())).toBeUndefined();
    expect(bulkEnv(['datasets', 'big.txt'], {}, probe())).toBeUndefined();
    expect(bulkEnv([], {}, probe())).toBeUndefined();
    expect(bulkEnv(['import', 'big.txt'], {}, probe({ platform: 'darwin' }))).toBeUndefined();
    expect(bulkEnv(['import', 'big.txt'], {}, probe({ thpMode: () => 'always' }))).toBeUndefined();
    expect(bulkEnv(['import', 'big.txt'], {}, probe({ thpMode: () => 'never' }))).toBeUndefined();
    expect(bulkEnv(['import', 'big.txt'], {}, probe({ thpMode: () => undefined }))).toBeUndefined();
    // a glibc without the tunable (before 2.35), or another C library
    expect(bulkEnv(['import', 'big.txt'], {}, probe({ glibcVersion: () => '2.31' }))).toBeUndefined();
    expect(bulkEnv(['import', 'big.txt'], {}, probe({ glibcVersion: () => undefined }))).toBeUndefined();
    expect(bulkEnv(['import', 'big.txt'], {}, probe({ glibcVersion: () => '2.35' }))?.GLIBC_TUNABLES).toBe('glibc.malloc.hugetlb=1');
  });

  it("looks at the import's FILE only, as the import parses its arguments", () => {
    // a large file named as an option's value is not the file imported
    expect(bulkEnv(['import', '--name', 'big.txt', 'small.txt'], {}, probe())).toBeUndefined();
    expect(bulkEnv(['import', '--as-new', 'big.txt', 'small.txt'], {}, probe())).toBeUndefined();
    expect(bulkEnv(['import', 'small.txt', 'big.txt'], {}, probe())).toBeUndefined();
    expect(bulkEnv(['import', '--reuse', 'big.txt'], {}, probe())?.GLIBC_TUNABLES).toBe('glibc.malloc.hugetlb=1');
    // arguments the import refuses: run as it is, and let it say why
    expect(bulkEnv(['import', '--bogus', 'big.txt'], {}, probe())).toBeUndefined();
  });

  it("knows the import's options", () => {
    const types = (o: Record<string, { type: string }>): Record<string, string> => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, v.type]));
    expect(types(IMPORT_ARGS)).toEqual(types({ ...IMPORT_OPTIONS, store: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean' } }));
  });
});
