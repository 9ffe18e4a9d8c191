#!/usr/bin/env node
'use strict';
const { existsSync } = require('node:fs');
const { join } = require('node:path');
const { spawn } = require('node:child_process');
const { constants } = require('node:os');
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
/**
 * Set in the environment of a process this launcher started: it runs the command itself, whatever its
 * environment looks like (glibc drops GLIBC_TUNABLES from a privileged process's environment, so that
 * cannot tell). Removed at once, so that what the command starts is not taken for relaunched.
 */
const RELAUNCHED = 'PROGNOS_RELAUNCHED';
const relaunched = process.env[RELAUNCHED] === '1';
delete process.env[RELAUNCHED];
/** the environment to start the command again in (the serving one, or a large import's: bulk-env.cjs); undefined: run it here */
const relaunch = relaunched ? undefined : SERVING.has(args[0]) ? (hasServingEnv() ? undefined : withServingEnv(process.env)) : bulkEnv(args, process.env);

if (relaunch === undefined) runHere();
else {
  // the IPC channel closes when this launcher dies, even by SIGKILL: the command then stops too
  const child = spawn(process.execPath, [...process.execArgv, __filename, ...args], { stdio: ['inherit', 'inherit', 'inherit', 'ipc'], env: { ...relaunch, [RELAUNCHED]: '1' } });
  const forward = {};
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    forward[signal] = () => child.kill(signal);
    process.on(signal, forward[signal]);
  }
  const stopForwarding = () => {
    for (const [signal, listener] of Object.entries(forward)) process.off(signal, listener);
  };
  child.on('error', () => {
    // not started (no process, no memory): run the command here, as it is
    if (child.pid !== undefined) return;
    stopForwarding();
    runHere();
  });
  child.on('exit', (code, signal) => {
    stopForwarding();
    if (signal !== null) {
      // die of the same signal; should it not end this process, exit as a shell reports it
      process.exitCode = 128 + (constants.signals[signal] ?? 0);
      process.kill(process.pid, signal);
    } else process.exit(code ?? 1);
  });
}

function runHere() {
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
