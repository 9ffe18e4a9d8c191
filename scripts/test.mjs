#!/usr/bin/env node
// `npm test`: every tier — typecheck (node + web), lint, build, unit, integration, end-to-end. The
// checks before the unit tier depend on nothing but the sources, so they run two at a time (their
// output is printed whole, one step after another, as each finishes); the test tiers run in order.
// Ends with every failed test and the head of its message, then one closing line
// `tests: N passed, N failed, N skipped` summed over the tiers. Each tier's
// old result files are deleted before it starts, so a stale file is never counted. Under CI=true a
// test skipped for a missing reference tool fails instead (test/helpers/reference-tools.mjs).
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, existsSync, rmSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const only = process.argv.slice(2);
const results = join(root, 'test-results');
mkdirSync(results, { recursive: true });
let passed = 0;
let failed = 0;
let skipped = 0;
const failures = [];
/** every failed test, `where › name` and its message, printed again at the very end */
const failedTests = [];

/** `outputs`: result files (relative to test-results/) the tier writes; deleted before it starts. */
function step(name, cmd, args, count, outputs = []) {
  if (only.length > 0 && !only.includes(name)) return;
  for (const o of outputs) rmSync(join(results, o), { recursive: true, force: true });
  process.stdout.write(`\n── ${name} ──\n`);
  const started = Date.now();
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env: { ...process.env, FORCE_COLOR: process.env.CI ? '0' : '1' } });
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  const ok = r.status === 0;
  if (count) {
    const c = count();
    passed += c.passed;
    failed += c.failed;
    skipped += c.skipped;
    if (!ok && c.failed === 0) failed += 1;
  } else if (ok) passed += 1;
  else failed += 1;
  if (!ok) failures.push(name);
  process.stdout.write(`── ${name}: ${ok ? 'ok' : 'FAILED'} (${seconds} s)\n`);
}

const vitestCounts = (file) => () => {
  const p = join(results, file);
  if (!existsSync(p)) return { passed: 0, failed: 0, skipped: 0 };
  const j = JSON.parse(readFileSync(p, 'utf8'));
  for (const suite of j.testResults ?? []) {
    const where = suite.name.startsWith(root) ? suite.name.slice(root.length + 1) : suite.name;
    const failedHere = (suite.assertionResults ?? []).filter((a) => a.status === 'failed');
    for (const a of failedHere) failedTests.push({ where, name: a.fullName ?? a.title, error: (a.failureMessages ?? []).join('\n') });
    // a file that failed before or outside its tests (an import error, a failing hook)
    if (suite.status === 'failed' && failedHere.length === 0) failedTests.push({ where, name: '(the file)', error: suite.message ?? '' });
  }
  return { passed: j.numPassedTests ?? 0, failed: j.numFailedTests ?? 0, skipped: (j.numPendingTests ?? 0) + (j.numTodoTests ?? 0) };
};
const e2eCounts = () => {
  const p = join(results, 'e2e.json');
  if (!existsSync(p)) return { passed: 0, failed: 0, skipped: 0 };
  const j = JSON.parse(readFileSync(p, 'utf8'));
  for (const f of j.failures ?? []) failedTests.push({ where: `test/e2e/${f.file}`, name: f.name, error: f.error });
  return { passed: j.passed ?? 0, failed: j.failed ?? 0, skipped: j.skipped ?? 0 };
};

/** Runs independent steps (no counts, no result files) `slots` at a time; each one's output is printed whole when it ends. */
async function overlapped(steps, slots) {
  const queue = steps.filter(([name]) => only.length === 0 || only.includes(name));
  const started = Date.now();
  const one = ([name, cmd, args]) =>
    new Promise((resolveStep) => {
      const t0 = Date.now();
      const child = spawn(cmd, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, FORCE_COLOR: process.env.CI ? '0' : '1' } });
      const chunks = [];
      child.stdout.on('data', (c) => chunks.push(c));
      child.stderr.on('data', (c) => chunks.push(c));
      const done = (ok, extra = '') => {
        const seconds = ((Date.now() - t0) / 1000).toFixed(1);
        process.stdout.write(`\n── ${name} ──\n${Buffer.concat(chunks).toString('utf8')}${extra}`);
        if (ok) passed += 1;
        else {
          failed += 1;
          failures.push(name);
        }
        process.stdout.write(`── ${name}: ${ok ? 'ok' : 'FAILED'} (${seconds} s)\n`);
        resolveStep();
      };
      child.once('error', (e) => done(false, `${e.message}\n`));
      child.once('close', (code) => done(code === 0));
    });
  const worker = async () => {
    for (let next = queue.shift(); next !== undefined; next = queue.shift()) await one(next);
  };
  const n = queue.length;
  await Promise.all(Array.from({ length: Math.min(slots, n) }, worker));
  if (n > 1) process.stdout.write(`── ${n} checks, ${slots} at a time: ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
}

// the slowest first, so the two slots end close together
await overlapped(
  [
    ['lint', 'npx', ['eslint', '--max-warnings', '0', '.']],
    ['build', 'npx', ['electron-vite', 'build']],
    ['typecheck', 'npx', ['tsc', '-p', 'tsconfig.node.json', '--noEmit']],
    ['typecheck-web', 'npx', ['tsc', '-p', 'tsconfig.web.json', '--noEmit']],
    ['lint-electron', process.execPath, [join(root, 'scripts', 'lint-electron.mjs')]],
  ],
  2,
);
step('unit', 'npx', ['vitest', 'run', '--project', 'unit', '--reporter=default', '--reporter=json', `--outputFile.json=${join(results, 'unit.json')}`], vitestCounts('unit.json'), ['unit.json']);
step('integration', 'npx', ['vitest', 'run', '--project', 'integration', '--project', 'integration-parallel', '--reporter=default', '--reporter=json', `--outputFile.json=${join(results, 'integration.json')}`], vitestCounts('integration.json'), ['integration.json']);
step('e2e', process.execPath, [join(root, 'test', 'e2e', 'run.mjs')], e2eCounts, ['e2e.json', 'e2e']);

// repeated last, so that a log read from its end (a CI page) names what failed and why
if (failedTests.length > 0) {
  process.stdout.write(`\nFailed tests (${failedTests.length}):\n`);
  for (const t of failedTests) {
    const head = t.error.split('\n').filter((l) => l.trim() !== '' && !/node_modules|node:internal/.test(l)).slice(0, 8);
    process.stdout.write(`  ${t.where} › ${t.name}\n${head.map((l) => `      ${l.slice(0, 300)}`).join('\n')}\n`);
  }
}
if (failures.length > 0) process.stdout.write(`\nFailed tiers: ${failures.join(', ')}\n`);
process.stdout.write(`tests: ${passed} passed, ${failed} failed, ${skipped} skipped\n`);
process.exit(failed > 0 ? 1 : 0);
