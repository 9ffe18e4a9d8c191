#!/usr/bin/env node
'use strict';
const { existsSync } = require('node:fs');
const { join } = require('node:path');
const { spawn } = require('node:child_process');
const { hasServingEnv, withServingEnv } = require('./serving-env.cjs');
const { bulkEnv } = require('./bulk-env.cjs');

const cli = join(__dirname, '..', 'out', 'main', 'cli.js');
if (!existsSync(cli)) {
  process.stderr.write('prognos: the app is not built yet (out/main/cli.js is missing). Run `npm run setup` (or `npm run build`).\n');
  process.exit(1);
}
const args = process.argv.slice(2);
/** commands that keep running and serve clients: started again with the serving environment */
const SERVING = new Set(['serve']);
/** the environment to start the command again in (the serving one, or a large import's: bulk-env.cjs); undefined: run it here */
const relaunch = SERVING.has(args[0]) ? (hasServingEnv() ? undefined : withServingEnv(process.env)) : bulkEnv(args, process.env);

if (relaunch !== undefined) {
  // the IPC channel closes when this launcher dies, even by SIGKILL: the command then stops too
  const child = spawn(process.execPath, [...process.execArgv, __filename, ...args], { stdio: ['inherit', 'inherit', 'inherit', 'ipc'], env: relaunch });
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => child.kill(signal));
  child.on('exit', (code, signal) => {
    if (signal !== null) {
      // die of the same signal (without the forwarding handler, which would only catch it)
      process.removeAllListeners(signal);
      process.kill(process.pid, signal);
    } else process.exit(code ?? 1);
  });
} else {
  if (process.connected && process.channel) {
    // started by the launcher above: stop when it is gone, without the channel keeping this process alive
    process.channel.unref();
    process.once('disconnect', () => process.kill(process.pid, 'SIGTERM'));
  }
  require(cli)
    .main(args)
    .then(
      (code) => {
        process.exitCode = code;
      },
      (e) => {
        process.stderr.write(`prognos: ${e && e.stack ? e.stack : String(e)}\n`);
        process.exitCode = 1;
      },
    );
}
