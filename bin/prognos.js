#!/usr/bin/env node
'use strict';
const { existsSync } = require('node:fs');
const { join } = require('node:path');

const cli = join(__dirname, '..', 'out', 'main', 'cli.js');
if (!existsSync(cli)) {
  process.stderr.write('prognos: the app is not built yet (out/main/cli.js is missing). Run `npm run setup` (or `npm run build`).\n');
  process.exit(1);
}
require(cli)
  .main(process.argv.slice(2))
  .then(
    (code) => {
      process.exitCode = code;
    },
    (e) => {
      process.stderr.write(`prognos: ${e && e.stack ? e.stack : String(e)}\n`);
      process.exitCode = 1;
    },
  );
