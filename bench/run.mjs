#!/usr/bin/env node
// Runs bench/index.ts (TypeScript) with vite-node; arguments pass through.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
if (!existsSync(join(root, 'out', 'main', 'cli.js'))) {
  console.error('Benchmarks run the built app: run `npm run setup` (or `npm run build`) first.');
  process.exit(1);
}
const r = spawnSync('npx', ['vite-node', join(root, 'bench', 'index.ts'), ...process.argv.slice(2)], { cwd: root, stdio: 'inherit' });
process.exit(r.status ?? 1);
