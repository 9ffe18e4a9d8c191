#!/usr/bin/env node
// `npm run lint:electron`: Electronegativity over src/, offline. Every finding must be fixed or carry
// a justification in build/electronegativity.json (check, file, a fragment of the flagged code, and
// why it is safe); a justification that matches no finding any more fails too, so the list stays true.
// The check that downloads Electron's release list is left out: nothing here reaches the network.
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const justificationsFile = join(root, 'build', 'electronegativity.json');
const NETWORK_CHECKS = ['AvailableSecurityFixesGlobalCheck'];

const run = require('@doyensec/electronegativity');
const electronVersion = JSON.parse(readFileSync(require.resolve('electron/package.json'), 'utf8')).version;
const justifications = JSON.parse(readFileSync(justificationsFile, 'utf8'));
for (const [i, j] of justifications.entries()) {
  for (const key of ['check', 'file', 'why']) {
    if (typeof j[key] !== 'string' || j[key].trim() === '') {
      console.error(`build/electronegativity.json: entry ${i + 1} has no "${key}"`);
      process.exit(1);
    }
  }
}

const result = await run(
  { input: join(root, 'src'), isRelative: true, electronVersionOverride: electronVersion, excludeFromScan: NETWORK_CHECKS },
  false,
);
let failed = 0;
for (const e of result.errors.filter((e) => !e.tolerable)) {
  console.error(`electronegativity: could not parse ${e.file}: ${e.message}`);
  failed += 1;
}
const used = new Set();
const sample = (issue) => (typeof issue.sample === 'string' ? issue.sample : '');
for (const issue of result.issues) {
  const where = `src/${issue.file}:${issue.location.line}`;
  const i = justifications.findIndex((j) => j.check === issue.id && j.file === issue.file && (j.match === undefined || sample(issue).includes(j.match)));
  if (i >= 0) {
    used.add(i);
    continue;
  }
  console.error(`${where}: ${issue.id} (${issue.severity.name}, ${issue.confidence.name}) ${issue.description} — fix it or justify it in build/electronegativity.json`);
  failed += 1;
}
for (const [i, j] of justifications.entries()) {
  if (used.has(i)) continue;
  console.error(`build/electronegativity.json: entry ${i + 1} (${j.check} in src/${j.file}) matches no finding any more — remove it`);
  failed += 1;
}
console.log(
  `electronegativity ${electronVersion}: ${result.globalChecks + result.atomicChecks} checks, ${result.issues.length} findings, ${used.size} justified, ${failed} problem${failed === 1 ? '' : 's'}`,
);
process.exit(failed > 0 ? 1 : 0);
