/**
 * Which tfjs backend the LSTM should choose by default here: 'tensorflow' when the optional
 * `@tensorflow/tfjs-node` is installed and loads, else 'wasm' (src/main/core/models/lstm/backend.ts).
 * Checked in a separate Node process, so this process's tfjs is left as it was.
 */
import { spawnSync } from 'node:child_process';
import { REPO } from './paths';

/** The first line that names an error (Node prints the failing line of its loader first). */
function firstError(stderr: string): string {
  const lines = stderr.trim().split('\n');
  return (lines.find((l) => /Error/.test(l)) ?? lines[0] ?? '').trim().slice(0, 200);
}

let cached: { backend: 'tensorflow' | 'wasm'; reason: string } | undefined;

export function expectedDefaultBackend(): { backend: 'tensorflow' | 'wasm'; reason: string } {
  if (cached !== undefined) return cached;
  const r = spawnSync(process.execPath, ['-e', "require('@tensorflow/tfjs-node')"], {
    cwd: REPO,
    encoding: 'utf8',
    timeout: 120_000,
  });
  cached =
    r.status === 0
      ? { backend: 'tensorflow', reason: '@tensorflow/tfjs-node loads' }
      : {
          backend: 'wasm',
          reason: `@tensorflow/tfjs-node does not load: ${firstError(r.stderr)}`,
        };
  return cached;
}
