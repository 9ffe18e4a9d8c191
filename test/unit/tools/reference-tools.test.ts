/**
 * A test that needs a missing reference tool is skipped (and counted as skipped) outside CI, and
 * fails under CI=true naming the tool and its Debian package. Checked on a real test file run by
 * vitest in a child process, with the tool hidden through PROGNOS_TEST_HIDE_TOOLS.
 */
import { execFile } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO, tempDir } from '../../helpers/paths';
import { isCi, missingToolVerdict } from '../../helpers/reference-tools.mjs';

interface VitestJson {
  numPassedTests: number;
  numFailedTests: number;
  numPendingTests: number;
  testResults: { assertionResults: { title: string; status: string; failureMessages: string[] }[] }[];
}

/** Runs the zip tests (one of them reads archives with python's zipfile) with python3 hidden. */
async function runZipTest(env: NodeJS.ProcessEnv): Promise<{ code: number; json: VitestJson }> {
  const dir = tempDir('prognos-tools-');
  try {
    const out = join(dir, 'r.json');
    const code = await new Promise<number>((resolve) => {
      execFile(
        process.execPath,
        [
          join(REPO, 'node_modules', 'vitest', 'vitest.mjs'),
          'run',
          '--project',
          'unit',
          'test/unit/export/zip.test.ts',

          '--reporter=json',
          `--outputFile.json=${out}`,
        ],
        { cwd: REPO, timeout: 120_000, env: { ...process.env, ...env, PROGNOS_TEST_HIDE_TOOLS: 'python3' } },
        (error) => resolve(error === null ? 0 : typeof error.code === 'number' ? error.code : 1),
      );
    });
    return { code, json: JSON.parse(readFileSync(out, 'utf8')) as VitestJson };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const zipResult = (j: VitestJson): { status: string; failureMessages: string[] } | undefined =>
  j.testResults.flatMap((f) => f.assertionResults).find((a) => a.title.includes('independent implementation'));

describe('missing reference tools', () => {
  it('reads CI the way CI services set it', () => {
    expect(isCi({ CI: 'true' })).toBe(true);
    expect(isCi({ CI: '1' })).toBe(true);
    expect(isCi({ CI: 'false' })).toBe(false);
    expect(isCi({ CI: '' })).toBe(false);
    expect(isCi({})).toBe(false);
    const v = missingToolVerdict('python3-onnx', 'no onnx', { CI: 'true' });
    expect(v.action).toBe('fail');
    expect(v.message).toContain('python3-onnx is missing under CI=true (no onnx)');
    expect(v.message).toContain('apt-get install -y python3-onnx');
    expect(missingToolVerdict('chromium', 'not found', {}).action).toBe('skip');
    expect(() => missingToolVerdict('python3-torch', 'x', {})).toThrow(/unknown reference tool/);
  });

  it('outside CI: the test is skipped and counted as skipped', async () => {
    const r = await runZipTest({ CI: '' });
    expect(r.code).toBe(0);
    expect(r.json.numPendingTests).toBe(1);
    expect(r.json.numFailedTests).toBe(0);
    expect(r.json.numPassedTests).toBe(5);
    expect(zipResult(r.json)?.status).toBe('skipped');
  }, 150_000);

  it('under CI=true: the test fails, naming the tool and the Debian package', async () => {
    const r = await runZipTest({ CI: 'true' });
    expect(r.code).not.toBe(0);
    expect(r.json.numFailedTests).toBe(1);
    expect(r.json.numPendingTests).toBe(0);
    expect(r.json.numPassedTests).toBe(5);
    const t = zipResult(r.json);
    expect(t?.status).toBe('failed');
    expect(t?.failureMessages.join('\n')).toMatch(
      /reference tool python3 is missing under CI=true .*apt-get install -y python3\b/,
    );
  }, 150_000);
});
