#!/usr/bin/env node
// @ts-check
/**
 * End-to-end runner: for each test/e2e/*.e2e.mjs file, starts browser mode
 * (`prognos serve --port 0 --store <fresh temp dir>`), opens the printed address in a fresh context
 * of one shared Chromium and runs the file's `tests` in order. Files run two at a time, each with its
 * own server, store and browser context (PROGNOS_E2E_JOBS=1: one after another); a file's output is
 * printed whole when it ends, closing with its duration. Builds nothing: run `npm run build` first.
 *
 *   node test/e2e/run.mjs [FILTER...]     FILTER matches file names or test names
 *
 * Ends with the line `N passed, N failed, N skipped` (also written to test-results/e2e.json, which is
 * deleted first) and exits non-zero when anything failed. Without Chromium every test is skipped, or,
 * under CI=true, the run fails naming the missing package (test/helpers/reference-tools.mjs).
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { missingToolVerdict, toolHidden } from '../helpers/reference-tools.mjs';

/**
 * @typedef {object} E2eContext
 * @property {import('playwright-core').Page} page
 * @property {string} url        the address printed by `prognos serve`, token included
 * @property {string} repoRoot
 * @property {string} tmpDir     a scratch folder for files the test writes
 * @property {string} resultsDir test-results/e2e
 * @property {(name: string) => Promise<string>} screenshot  saves a full-page screenshot, returns its path
 * @property {(message: string) => void} log
 */

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = resolve(here, '../..');
const resultsDir = join(repoRoot, 'test-results', 'e2e');
const countsFile = join(repoRoot, 'test-results', 'e2e.json');
const chromiumPath = process.env.PROGNOS_CHROMIUM ?? '/usr/bin/chromium';
const SERVER_START_TIMEOUT_MS = 30_000;
const TEST_TIMEOUT_MS = 180_000;
const filters = process.argv.slice(2);
/** how many files run at once (PROGNOS_E2E_JOBS; 1 runs them one after another) */
const JOBS = Math.max(1, Number.parseInt(process.env.PROGNOS_E2E_JOBS ?? '2', 10) || 1);
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'];

/** @param {string} message */
function log(message) {
  process.stdout.write(`${message}\n`);
}

/**
 * Starts `prognos serve` and resolves with its address once the serving line is printed.
 * @param {string} storeDir
 */
function startServer(storeDir) {
  const child = spawn(
    process.execPath,
    [join(repoRoot, 'bin/prognos.js'), 'serve', '--port', '0', '--store', storeDir],
    {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, PROGNOS_HOME: storeDir },
    },
  );
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk) => {
    stderr += chunk;
  });
  /** @type {Promise<{ child: import('node:child_process').ChildProcess, url: string, stderr: () => string }>} */
  const ready = new Promise((resolveReady, reject) => {
    let stdout = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`prognos serve printed no address within ${SERVER_START_TIMEOUT_MS} ms.\n${stderr}`));
    }, SERVER_START_TIMEOUT_MS);
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
      const match = /Prognos is serving on (http:\/\/127\.0\.0\.1:\d+\/\?token=\S+)/.exec(stdout);
      if (match?.[1] !== undefined) {
        clearTimeout(timer);
        resolveReady({ child, url: match[1], stderr: () => stderr });
      }
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`prognos serve exited (${signal ?? code}) before serving.\n${stderr}`));
    });
  });
  return ready;
}

/** @param {import('node:child_process').ChildProcess} child */
async function stopServer(child) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}

/**
 * @template T
 * @param {Promise<T>} promise
 * @param {number} ms
 * @param {string} what
 * @returns {Promise<T>}
 */
function withTimeout(promise, ms, what) {
  /** @type {NodeJS.Timeout | undefined} */
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms);
  });
  return /** @type {Promise<T>} */ (Promise.race([promise, timeout])).finally(() => clearTimeout(timer));
}

/** @param {unknown} e */
function describe(e) {
  if (!(e instanceof Error)) return String(e);
  // fetch's own message is only "fetch failed": the reason is its cause
  return e.cause === undefined ? (e.stack ?? e.message) : `${e.stack ?? e.message}\ncaused by: ${describe(e.cause)}`;
}

/**
 * Prints the closing line and writes the counts (and what failed) read by scripts/test.mjs.
 * @param {{ passed: number, failed: number, skipped: number, failures?: Array<{ file: string, name: string, error: string }> }} c
 */
async function finish(c) {
  log(`\n${c.passed} passed, ${c.failed} failed, ${c.skipped} skipped`);
  await mkdir(dirname(countsFile), { recursive: true });
  await writeFile(countsFile, JSON.stringify(c));
}

/** The selected tests of every e2e file, in order. */
async function selectedTests() {
  /** @type {Array<{ file: string, tests: Array<{ name: string, run: (ctx: E2eContext) => Promise<void> }> }>} */
  const out = [];
  const files = (await readdir(here)).filter((f) => f.endsWith('.e2e.mjs')).sort();
  for (const file of files) {
    /** @type {{ tests: Array<{ name: string, run: (ctx: E2eContext) => Promise<void> }> }} */
    const mod = await import(pathToFileURL(join(here, file)).href);
    const fileMatches = filters.length === 0 || filters.some((f) => file.includes(f));
    const tests = mod.tests.filter((t) => fileMatches || filters.some((f) => t.name.includes(f)));
    if (tests.length > 0) out.push({ file, tests });
  }
  return out;
}

async function main() {
  let passed = 0;
  let failed = 0;
  const failures = [];
  // a stale count from an earlier run must never be read as this run's
  await rm(countsFile, { force: true });
  await rm(resultsDir, { recursive: true, force: true });

  if (!existsSync(join(repoRoot, 'out/main/cli.js')) || !existsSync(join(repoRoot, 'out/renderer/index.html'))) {
    log('e2e: the app is not built (out/main/cli.js or out/renderer/index.html missing). Run `npm run build` first.');
    await finish({ passed: 0, failed: 1, skipped: 0 });
    return 1;
  }
  const suites = await selectedTests();
  if (!existsSync(chromiumPath) || toolHidden('chromium')) {
    const reason = toolHidden('chromium') ? 'hidden by PROGNOS_TEST_HIDE_TOOLS' : `${chromiumPath} not found; PROGNOS_CHROMIUM names another binary`;
    const verdict = missingToolVerdict('chromium', reason);
    log(`e2e: ${verdict.message}`);
    const total = suites.reduce((n, s) => n + s.tests.length, 0);
    if (verdict.action === 'fail') {
      await finish({ passed: 0, failed: Math.max(1, total), skipped: 0 });
      return 1;
    }
    await finish({ passed: 0, failed: 0, skipped: total });
    return 0;
  }
  await mkdir(resultsDir, { recursive: true });

  /** @type {Promise<import('playwright-core').Browser> | undefined} */
  let launching;
  /** @type {Set<Promise<import('playwright-core').Browser>>} */
  const launched = new Set();
  /** one browser for the whole run (each file gets a fresh context: its own cookies and storage); launched again if it died */
  const sharedBrowser = async () => {
    const seen = launching;
    if (seen !== undefined) {
      const b = await seen.catch(() => undefined);
      if (b?.isConnected() === true) return b;
    }
    // none yet, or it failed or died: the first file to notice launches one, files starting beside it share it
    if (launching === seen) {
      launching = chromium.launch({ executablePath: chromiumPath, args: CHROMIUM_ARGS });
      launched.add(launching);
    }
    return launching;
  };

  /** Runs one file against its own server and store; its output is collected and printed whole when it ends. */
  const runFile = async (/** @type {{ file: string, tests: Array<{ name: string, run: (ctx: E2eContext) => Promise<void> }> }} */ { file, tests: selected }) => {
    /** @type {string[]} */
    const lines = [`\n${file}`];
    const out = (/** @type {string} */ message) => lines.push(message);
    const fileStarted = Date.now();
    let filePassed = 0;
    let fileFailed = 0;
    const tmpDir = await mkdtemp(join(tmpdir(), 'prognos-e2e-'));
    const storeDir = join(tmpDir, 'store');
    await mkdir(storeDir);
    /** @type {Awaited<ReturnType<typeof startServer>> | undefined} */
    let server;
    /** @type {import('playwright-core').BrowserContext | undefined} */
    let context;
    try {
      server = await startServer(storeDir);
      context = await (await sharedBrowser()).newContext({ viewport: { width: 1280, height: 800 }, locale: 'en-US' });
      const page = await context.newPage();
      page.setDefaultTimeout(30_000);
      /** @type {string[]} */
      const pageErrors = [];
      page.on('pageerror', (e) => pageErrors.push(`uncaught: ${e.message}`));
      page.on('console', (msg) => {
        if (msg.type() === 'error' && /Content Security Policy|Refused to|script-src|default-src/i.test(msg.text())) {
          pageErrors.push(`CSP: ${msg.text()} (${msg.location().url}:${msg.location().lineNumber})`);
        }
      });

      /** @type {E2eContext} */
      const ctx = {
        page,
        url: server.url,
        repoRoot,
        tmpDir,
        resultsDir,
        async screenshot(name) {
          const path = join(resultsDir, name);
          await page.screenshot({ path, fullPage: true });
          out(`    screenshot: ${path}`);
          return path;
        },
        log: (message) => out(`    ${message}`),
      };

      for (const [i, test] of selected.entries()) {
        const started = Date.now();
        pageErrors.length = 0;
        try {
          await withTimeout(test.run(ctx), TEST_TIMEOUT_MS, test.name);
          if (pageErrors.length > 0) throw new Error(`the page reported errors:\n${pageErrors.join('\n')}`);
          filePassed++;
          out(`  ok   ${test.name} (${Date.now() - started} ms)`);
        } catch (e) {
          fileFailed++;
          failures.push({ file, name: test.name, error: describe(e) });
          out(`  FAIL ${test.name} (${Date.now() - started} ms)`);
          out(`       ${describe(e).split('\n').join('\n       ')}`);
          const shot = join(resultsDir, `${file.replace(/\.e2e\.mjs$/, '')}-failure-${i + 1}.png`);
          await page.screenshot({ path: shot, fullPage: true }).then(
            () => out(`       screenshot: ${shot}`),
            () => undefined,
          );
        }
      }
    } catch (e) {
      fileFailed++;
      failures.push({ file, name: '(setup)', error: describe(e) });
      out(`  FAIL setup: ${describe(e)}`);
    } finally {
      await context?.close().catch(() => undefined);
      if (server !== undefined) {
        await stopServer(server.child);
        if (fileFailed > 0 && server.stderr().trim() !== '') out(`  server stderr:\n${server.stderr().trim()}`);
      }
      await rm(tmpDir, { recursive: true, force: true });
    }
    passed += filePassed;
    failed += fileFailed;
    out(`  ${file}: ${filePassed} passed, ${fileFailed} failed in ${((Date.now() - fileStarted) / 1000).toFixed(1)} s`);
    log(lines.join('\n'));
  };

  // files run JOBS at a time (each with its own server and store), taken in order as slots free up
  const queue = [...suites];
  const worker = async () => {
    for (let next = queue.shift(); next !== undefined; next = queue.shift()) await runFile(next);
  };
  const runStarted = Date.now();
  try {
    await Promise.all(Array.from({ length: Math.min(JOBS, suites.length) }, worker));
  } finally {
    for (const b of launched) await b.then((x) => x.close()).catch(() => undefined);
  }
  log(`\ne2e: ${suites.length} files, ${JOBS} at a time, in ${((Date.now() - runStarted) / 1000).toFixed(1)} s`);

  if (failures.length > 0) {
    log('\nFailures:');
    for (const f of failures) log(`  ${f.file} › ${f.name}`);
  }
  await finish({ passed, failed, skipped: 0, failures });
  return failed > 0 || passed === 0 ? 1 : 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (e) => {
    log(`e2e runner crashed: ${describe(e)}`);
    process.exitCode = 1;
    return finish({ passed: 0, failed: 1, skipped: 0 });
  },
);
