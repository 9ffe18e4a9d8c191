#!/usr/bin/env node
// Set-up for a fresh machine: dependencies without install scripts (several download binaries from
// hosts an air-gapped site cannot reach), native modules built for Node, Electron's binary fetched
// where possible, then the build. Safe and quick to run again.
import { spawnSync } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, readFileSync, statSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(join(root, 'package.json'));
const env = { ...process.env, npm_config_onnxruntime_node_install: 'skip', npm_config_update_notifier: 'false' };
const say = (msg) => process.stdout.write(`setup: ${msg}\n`);

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { cwd: root, env: opts.env ?? env, stdio: opts.quiet ? 'pipe' : 'inherit', encoding: 'utf8', timeout: opts.timeout });
  return { ok: r.status === 0, out: `${r.stdout ?? ''}${r.stderr ?? ''}`, status: r.status };
}

// 1. Dependencies. Scripts are skipped: better-sqlite3 is built below, electron is fetched below,
//    onnxruntime-node ships its CPU binary in the package.
const lock = join(root, 'package-lock.json');
const installedLock = join(root, 'node_modules', '.package-lock.json');
const upToDate = existsSync(installedLock) && existsSync(lock) && statSync(installedLock).mtimeMs >= statSync(lock).mtimeMs;
if (upToDate) say('dependencies are up to date');
else {
  say('installing dependencies (npm, install scripts off)…');
  const useCi = existsSync(lock) && !existsSync(join(root, 'node_modules'));
  const r = run('npm', [useCi ? 'ci' : 'install', '--ignore-scripts', '--no-audit', '--no-fund']);
  if (!r.ok) {
    say('npm could not install the dependencies (see above).');
    process.exit(1);
  }
}

// 2. better-sqlite3 for this Node (compiled from source where no prebuilt binary can be fetched).
const sqliteOk = () =>
  run(process.execPath, ['-e', "new (require('better-sqlite3'))(':memory:').prepare('select 1').get()"], { quiet: true }).ok;
if (sqliteOk()) say('better-sqlite3 works with this Node');
else {
  say('building better-sqlite3 for this Node (about a minute)…');
  // JOBS: node-gyp compiles on every core
  run('npm', ['rebuild', 'better-sqlite3'], { quiet: true, env: { ...env, JOBS: 'max' } });
  if (!sqliteOk()) {
    say('better-sqlite3 could not be built: install python3, make and g++ and run `npm run setup` again.');
    process.exit(1);
  }
  say('better-sqlite3 built');
}

// 3. Electron's binary (downloaded by its own installer; fails quietly without access to its host).
const electronDir = dirname(require.resolve('electron/package.json'));
const electronPresent = () => existsSync(join(electronDir, 'path.txt')) && existsSync(join(electronDir, 'dist'));
if (electronPresent()) say('Electron binary present');
else {
  const r = run(process.execPath, [join(electronDir, 'install.js')], { quiet: true, timeout: 120_000 });
  if (r.ok && electronPresent()) say('Electron binary downloaded');
  else
    say('Electron binary could not be downloaded (no access to its download host); the desktop app is unavailable here and `npm start` will open browser mode instead.');
}

// 3b. better-sqlite3 for Electron's ABI, kept beside the Node build (the CLI and tests keep using
//     that one); the app points PROGNOS_SQLITE_BINDING at it. Needs Electron's headers.
const electronBinding = join(root, 'node_modules', '.prognos-electron', 'better_sqlite3.node');
if (electronPresent() && !existsSync(electronBinding)) {
  const electronVersion = JSON.parse(readFileSync(join(electronDir, 'package.json'), 'utf8')).version;
  const work = join(root, 'node_modules', '.prognos-electron', 'better-sqlite3');
  say(`building better-sqlite3 for Electron ${electronVersion}…`);
  cpSync(dirname(require.resolve('better-sqlite3/package.json')), work, { recursive: true, filter: (src) => !src.includes(`${join('build', 'Release')}`) });
  const r = spawnSync('npx', ['node-gyp', 'rebuild', `--target=${electronVersion}`, '--runtime=electron', '--dist-url=https://electronjs.org/headers'], {
    cwd: work,
    env,
    encoding: 'utf8',
  });
  const built = join(work, 'build', 'Release', 'better_sqlite3.node');
  if (r.status === 0 && existsSync(built)) {
    copyFileSync(built, electronBinding);
    say('better-sqlite3 built for Electron');
  } else say("better-sqlite3 could not be built for Electron (its headers could not be fetched?); the desktop app needs it, browser mode and the CLI don't.");
}

// 4. Optional native TensorFlow: used at run time when present, else the WebAssembly backend.
try {
  require.resolve('@tensorflow/tfjs-node');
  say('@tensorflow/tfjs-node present: LSTM training will use native TensorFlow where it loads');
} catch {
  say('@tensorflow/tfjs-node not installed (optional): LSTM training uses the WebAssembly backend');
}

// 5. Build main, preload and renderer (PROGNOS_SETUP_NO_BUILD=1: left to a later step that builds
//    anyway, such as `npm test` in CI).
if (process.env.PROGNOS_SETUP_NO_BUILD === '1') {
  say('build left to the next step (PROGNOS_SETUP_NO_BUILD=1)');
  process.exit(0);
}
say('building…');
const b = run('npx', ['electron-vite', 'build'], { quiet: true });
if (!b.ok) {
  process.stdout.write(b.out);
  say('build failed.');
  process.exit(1);
}
const version = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version;
say(`Prognos ${version} is ready: \`npm start\` (app or browser mode), \`npm test\`, \`npm run demo\`, \`npx prognos --help\`.`);
