/**
 * Backend choice for the sequence model, whether or not the optional @tensorflow/tfjs-node is
 * installed: the default choice follows what loads here, and the tfjs-node branch (choice, run
 * record, composite kernels, one thread) is exercised in a child process where a stand-in
 * `@tensorflow/tfjs-node` on NODE_PATH registers a 'tensorflow' backend running tfjs's cpu kernels.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { selectBackendDetailed } from '../../../src/main/core/models/lstm';
import { REPO, tempDir } from '../../helpers/paths';
import { expectedDefaultBackend } from '../../helpers/tfjs-backend';

const standIn = (repo: string): string => String.raw`
// registers a 'tensorflow' backend in the app's tfjs-core, backed by the cpu kernels
const from = (name) => require(require.resolve(name, { paths: [${JSON.stringify(repo)}] }));
const tf = from('@tensorflow/tfjs-core');
const cpu = from('@tensorflow/tfjs-backend-cpu');
tf.registerBackend('tensorflow', () => new cpu.MathBackendCPU(), 3);
for (const k of tf.getKernelsForBackend('cpu')) tf.registerKernel({ ...k, backendName: 'tensorflow' });
module.exports = tf;
`;

const script = (repo: string): string => String.raw`
import { selectBackendDetailed, trainLstm } from '${repo}/src/main/core/models/lstm';
import { toyWindows } from '${repo}/test/unit/lstm/helpers';

async function main(): Promise<void> {
  const choice = await selectBackendDetailed();
  const valid = toyWindows(24, 5, 2, 8);
  const r = await trainLstm(toyWindows(48, 5, 2, 7), valid, { units1: 4, units2: 3, attentionUnits: 2, batchSize: 16, epochs: 2, seed: 1 });
  const p = Array.from(r.model.predict(valid));
  process.stdout.write(JSON.stringify({ choice, backend: r.backend, kernels: r.kernels, threads: r.threads, threadNote: r.threadNote, recorded: r.model.serialize().json.backend, n: p.length, finite: p.every((v) => Number.isFinite(v) && v > 0 && v < 1) }) + '\n');
}
void main();
`;

describe('LSTM backend choice', () => {
  it('takes tfjs-node when it loads here, else wasm with the reason', async () => {
    const expected = expectedDefaultBackend();
    const choice = await selectBackendDetailed();
    expect(choice.backend, expected.reason).toBe(expected.backend);
    if (expected.backend === 'wasm') expect(choice.notes.join(' ')).toMatch(/tfjs-node unavailable/);
  });

  it('uses a loadable tfjs-node: trains on it with the composite kernels on one thread and records it', async () => {
    const dir = tempDir('prognos-tfjs-node-');
    try {
      const pkg = join(dir, 'node_modules', '@tensorflow', 'tfjs-node');
      mkdirSync(pkg, { recursive: true });
      writeFileSync(
        join(pkg, 'package.json'),
        JSON.stringify({ name: '@tensorflow/tfjs-node', version: '0.0.0-stand-in', main: 'index.js' }),
      );
      writeFileSync(join(pkg, 'index.js'), standIn(REPO));
      const file = join(dir, 'train.ts');
      writeFileSync(file, script(REPO));
      // asynchronous, so the test worker keeps answering vitest while the child runs
      const r = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
        execFile(
          process.execPath,
          [join(REPO, 'node_modules', 'vite-node', 'vite-node.mjs'), file],
          {
            cwd: REPO,
            encoding: 'utf8',
            timeout: 120_000,
            env: { ...process.env, NODE_PATH: join(dir, 'node_modules') },
          },
          (error, stdout, stderr) =>
            resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : 1, stdout, stderr }),
        );
      });
      expect(r.code, r.stderr).toBe(0);
      const out = JSON.parse(r.stdout.trim().split('\n').pop() ?? '') as {
        choice: { backend: string; notes: string[] };
        backend: string;
        kernels: string;
        threads: number;
        threadNote: string | null;
        recorded: string;
        n: number;
        finite: boolean;
      };
      expect(out.choice).toEqual({ backend: 'tensorflow', notes: [] });
      expect(out.backend).toBe('tensorflow');
      expect(out.recorded).toBe('tensorflow');
      expect(out.kernels).toBe('composite');
      expect(out.threads).toBe(1);
      expect(out.threadNote).toMatch(/tensorflow backend parallelises on its own/);
      expect(out.n).toBe(24);
      expect(out.finite).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
