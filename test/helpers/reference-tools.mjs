// @ts-check
/**
 * The one place that decides what happens when a reference tool a test compares against is missing
 * (python3-xgboost, python3-onnx, python3-numpy, python3-scipy, python3, chromium, poppler-utils). Outside CI the test is skipped
 * with a one-line notice; under CI=true it fails instead, naming the tool and the Debian package that
 * provides it, so a CI run can never pass while silently leaving out a comparison.
 *
 * Used by the vitest tiers through test/helpers/tools.ts and by the e2e runner (test/e2e/run.mjs).
 */

/**
 * Each reference tool with the Debian packages that provide it.
 * @type {Readonly<Record<string, { packages: readonly string[] }>>}
 */
export const REFERENCE_TOOLS = Object.freeze({
  python3: { packages: ['python3'] },
  'python3-numpy': { packages: ['python3-numpy'] },
  'python3-scipy': { packages: ['python3-scipy', 'python3-numpy'] },
  'python3-xgboost': { packages: ['python3-xgboost', 'python3-numpy'] },
  'python3-onnx': { packages: ['python3-onnx'] },
  chromium: { packages: ['chromium'] },
  // the model server's shared backends (test/helpers/real-servers.ts)
  'redis-server': { packages: ['redis-server'] },
  postgresql: { packages: ['postgresql'] },
  'poppler-utils': { packages: ['poppler-utils'] },
  // promtool checks deploy/prometheus/rules.yml
  prometheus: { packages: ['prometheus'] },
});

/** @param {NodeJS.ProcessEnv} [env] */
export function isCi(env = process.env) {
  const v = (env.CI ?? '').trim().toLowerCase();
  return v !== '' && v !== '0' && v !== 'false';
}

/**
 * Whether PROGNOS_TEST_HIDE_TOOLS (comma-separated tool names) asks to treat `tool` as missing, so the
 * skip and the CI failure can be tested on a machine that has the tool.
 * @param {string} tool
 * @param {NodeJS.ProcessEnv} [env]
 */
export function toolHidden(tool, env = process.env) {
  return (env.PROGNOS_TEST_HIDE_TOOLS ?? '').split(',').some((t) => t.trim() === tool);
}

/**
 * What to do about a missing reference tool: 'skip' (with `message`) outside CI, 'fail' under CI.
 * @param {string} tool   a key of REFERENCE_TOOLS
 * @param {string} reason why it is unavailable (e.g. "/usr/bin/python3 cannot import xgboost: …")
 * @param {NodeJS.ProcessEnv} [env]
 * @returns {{ action: 'skip' | 'fail', message: string }}
 */
export function missingToolVerdict(tool, reason, env = process.env) {
  const known = REFERENCE_TOOLS[tool];
  if (known === undefined) throw new Error(`unknown reference tool "${tool}" (add it to REFERENCE_TOOLS)`);
  const install = `apt-get install -y ${known.packages.join(' ')}`;
  if (isCi(env)) {
    return {
      action: 'fail',
      message: `reference tool ${tool} is missing under CI=true (${reason}); install the Debian package: ${install}`,
    };
  }
  return {
    action: 'skip',
    message: `skipped: reference tool ${tool} is missing (${reason}); install it with: ${install}`,
  };
}
