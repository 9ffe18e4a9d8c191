/**
 * A 1 MB zip that honestly holds 1 GiB (zeros) is checked in bounded memory without blocking the
 * event loop: streamed, hashed and verified when the caller allows entries that large, and refused
 * from its header by the bundle reader. Each check runs in a fresh child process that reports its
 * peak RSS (VmHWM) and how long its main thread held the event loop at a stretch: the main thread's
 * own CPU time between two ticks of a 5 ms timer (test/helpers/main-thread-busy.ts). That is what
 * blocking is; the wall-clock gap between ticks (also reported, as perf_hooks.monitorEventLoopDelay
 * measures it) also counts the time the process waited for a core, which on a loaded machine can be
 * hundreds of milliseconds in a run of 20 ms and says nothing about the reader.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as zlib from 'node:zlib';
import { createRequire } from 'node:module';
import type * as Esbuild from 'esbuild';
import { beforeAll, describe, expect, it } from 'vitest';
import { formatSums } from '../../../src/main/core/export/checksums';
import { rawZip, entry, type RawEntry } from '../../helpers/raw-zip';
import { REPO, tempDir } from '../../helpers/paths';

// esbuild as vite (a dev dependency) resolves it, to bundle the reader for a bare node child
const requireFromVite = createRequire(createRequire(import.meta.url).resolve('vite'));
const { buildSync } = requireFromVite('esbuild') as typeof Esbuild;

const GIB = 1024 ** 3;
const MIB = 1024 ** 2;
const dir = tempDir('prognos-zip-gib-');
let gibEntry: RawEntry;
let gibSha = '';

interface ChildReport {
  outcome: {
    ok: boolean;
    message?: string;
    size?: number;
    sha256?: string;
    problems?: { file: string; reason: string }[];
  };
  peakRssMiB: number;
  startRssMiB: number;
  busyMaxMs: number;
  lagP99Ms: number;
  lagMaxMs: number;
  seconds: number;
}

/** 1 GiB of zeros as raw deflate: a full flush resets the window, so every 1 MiB block compresses to the same bytes. */
function gibOfZeros(): RawEntry {
  const zeros = Buffer.alloc(MIB);
  const block = zlib.deflateRawSync(zeros, { level: 9, finishFlush: zlib.constants.Z_FULL_FLUSH });
  const body = Buffer.concat([...Array.from({ length: 1024 }, () => block), zlib.deflateRawSync(Buffer.alloc(0))]);
  let crc = 0;
  const hash = createHash('sha256');
  for (let i = 0; i < 1024; i++) {
    crc = (zlib as unknown as { crc32(d: Uint8Array, v?: number): number }).crc32(zeros, crc);
    hash.update(zeros);
  }
  gibSha = hash.digest('hex');
  return { name: 'models/gbdt.onnx', body, method: 8, crc, size: GIB };
}

const CHILD = `
import { readFileSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { ZipFileReader, verifyBundle, mainThreadBusy } from './reader.mjs';
const [mode, path, arg] = process.argv.slice(2);
// VmHWM, not resourceUsage().maxRSS: Linux carries ru_maxrss across exec, so it would count the
// memory of the test process this child was forked from
const hwm = () => Number(/VmHWM:\\s+(\\d+)/.exec(readFileSync('/proc/self/status', 'utf8'))[1]) / 1024;
const startRssMiB = process.memoryUsage().rss / 1048576;
const lag = monitorEventLoopDelay({ resolution: 5 });
lag.enable();
const t0 = performance.now();
let outcome;
// the main thread's own CPU between timer ticks (test/helpers/main-thread-busy.ts)
const { busyMaxMs } = await mainThreadBusy(async () => {
  try {
    if (mode === 'entry') {
      const z = await ZipFileReader.open(path, { maxEntryBytes: 2 * 1024 ** 3, maxTotalBytes: 2 * 1024 ** 3 });
      try {
        const r = await z.read(arg);
        outcome = { ok: true, size: r.size, sha256: r.sha256 };
      } finally {
        await z.close();
      }
    } else {
      const v = await verifyBundle(path);
      outcome = { ok: v.ok, problems: v.problems };
    }
  } catch (e) {
    outcome = { ok: false, message: e.message };
  }
});
const seconds = (performance.now() - t0) / 1000;
lag.disable();
process.stdout.write(JSON.stringify({ outcome, startRssMiB, peakRssMiB: hwm(), busyMaxMs, lagP99Ms: lag.percentile(99) / 1e6, lagMaxMs: lag.max / 1e6, seconds }));
`;

function runChild(mode: 'entry' | 'bundle', path: string, arg = ''): ChildReport {
  const out = execFileSync(process.execPath, [join(dir, 'child.mjs'), mode, path, arg], {
    cwd: dir,
    encoding: 'utf8',
    maxBuffer: 16 * MIB,
    timeout: 240_000,
  });
  const report = JSON.parse(out) as ChildReport;
  console.log(
    `${mode} ${path.split('/').pop()}: ${JSON.stringify({ ...report, outcome: { ...report.outcome, problems: report.outcome.problems?.slice(0, 3) } })}`,
  );
  return report;
}

beforeAll(() => {
  // the reader as the app builds it, in one plain ES module a bare node process can run
  const entryFile = join(dir, 'entry.ts');
  writeFileSync(
    entryFile,
    `export { ZipFileReader } from ${JSON.stringify(join(REPO, 'src/main/core/export/zip.ts'))};\nexport { verifyBundle } from ${JSON.stringify(join(REPO, 'src/main/core/export/bundle.ts'))};\nexport { mainThreadBusy } from ${JSON.stringify(join(REPO, 'test/helpers/main-thread-busy.ts'))};\n`,
  );
  buildSync({
    entryPoints: [entryFile],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outfile: join(dir, 'reader.mjs'),
    logLevel: 'error',
    nodePaths: [join(REPO, 'node_modules')],
  });
  writeFileSync(join(dir, 'child.mjs'), CHILD);
  gibEntry = gibOfZeros();
});

describe('a 1 MB zip holding an honest 1 GiB entry', () => {
  it('is about 1 MB on disk', () => {
    const zip = rawZip([gibEntry]);
    writeFileSync(join(dir, 'gib.zip'), zip);
    expect(zip.length).toBeLessThan(2 * MIB);
  });

  it('is verified by streaming: the right SHA-256, ≤ 256 MiB peak RSS, the event loop never held 50 ms at a stretch', () => {
    const r = runChild('entry', join(dir, 'gib.zip'), 'models/gbdt.onnx');
    expect(r.outcome).toEqual({ ok: true, size: GIB, sha256: gibSha });
    expect(r.peakRssMiB).toBeLessThanOrEqual(256);
    expect(r.busyMaxMs).toBeLessThanOrEqual(50);
  });

  it('is refused by the bundle reader from its header, naming the entry, in bounded memory', () => {
    const manifest = Buffer.from('{}');
    const sums = formatSums([
      { path: 'manifest.json', sha256: createHash('sha256').update(manifest).digest('hex') },
      { path: 'models/gbdt.onnx', sha256: gibSha },
    ]);
    writeFileSync(
      join(dir, 'gib-bundle.zip'),
      rawZip([entry('manifest.json', manifest), entry('SHA256SUMS', Buffer.from(sums)), gibEntry]),
    );
    const r = runChild('bundle', join(dir, 'gib-bundle.zip'));
    expect(r.outcome.ok).toBe(false);
    expect(r.outcome.problems).toEqual([
      {
        file: 'gib-bundle.zip',
        reason:
          'not a readable bundle archive: models/gbdt.onnx: declares 1073741824 bytes, more than the 134217728 a file may hold',
      },
    ]);
    expect(r.peakRssMiB).toBeLessThanOrEqual(256);
    expect(r.busyMaxMs).toBeLessThanOrEqual(50);
  });

  it('is refused while streaming when its header claims 1 KiB, stopping at the recorded size', () => {
    writeFileSync(join(dir, 'liar.zip'), rawZip([{ ...gibEntry, size: 1024 }]));
    const r = runChild('entry', join(dir, 'liar.zip'), 'models/gbdt.onnx');
    expect(r.outcome).toEqual({
      ok: false,
      message: 'models/gbdt.onnx: inflates beyond its recorded size of 1024 bytes',
    });
    expect(r.peakRssMiB).toBeLessThanOrEqual(256);
    expect(r.busyMaxMs).toBeLessThanOrEqual(50);
  });
});
