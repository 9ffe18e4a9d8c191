#!/usr/bin/env node
// `npm start`: the Electron app where its binary exists, else browser mode with a clear word why.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(join(root, 'package.json'));
const { withServingEnv } = require('./bin/serving-env.cjs');
const args = process.argv.slice(2);

if (!existsSync(join(root, 'out', 'main', 'cli.js'))) {
  process.stderr.write('Prognos is not built yet: run `npm run setup` first.\n');
  process.exit(1);
}

let electronBinary = null;
try {
  const dir = dirname(require.resolve('electron/package.json'));
  if (existsSync(join(dir, 'path.txt'))) electronBinary = require('electron');
} catch {
  electronBinary = null;
}
const wantBrowser = args.includes('--browser') || process.env.PROGNOS_BROWSER === '1';

if (electronBinary && existsSync(electronBinary) && !wantBrowser) {
  const child = spawn(electronBinary, [root, ...args], { stdio: 'inherit', env: withServingEnv(process.env) });
  child.on('exit', (code) => process.exit(code ?? 0));
} else {
  if (!wantBrowser) {
    process.stderr.write(
      "Electron's binary is not installed (set-up could not download it), so the desktop window cannot open.\n" +
        'Starting browser mode instead: open the address below in a browser on this machine. Ctrl-C stops it.\n' +
        '(Where the download works, `npm run setup` fetches Electron and `npm start` opens the app.)\n',
    );
  }
  const child = spawn(process.execPath, [join(root, 'bin', 'prognos.js'), 'serve', ...args.filter((a) => a !== '--browser')], { stdio: 'inherit', env: withServingEnv(process.env) });
  process.on('SIGINT', () => child.kill('SIGINT'));
  child.on('exit', (code) => process.exit(code ?? 0));
}
