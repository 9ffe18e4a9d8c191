import { resolve } from 'node:path';
import { defineConfig, externalizeDepsPlugin } from 'electron-vite';
import react from '@vitejs/plugin-react';

/**
 * Three targets: main (Electron entry, CLI, browser-mode host and worker threads — all plain Node
 * except index.ts), preload (one CJS bundle, sandbox-compatible) and renderer (React).
 */
export default defineConfig({
  main: {
    plugins: [externalizeDepsPlugin()],
    build: {
      outDir: 'out/main',
      sourcemap: true,
      rollupOptions: {
        input: {
          index: resolve(__dirname, 'src/main/index.ts'),
          cli: resolve(__dirname, 'src/main/cli/index.ts'),
          'import-worker': resolve(__dirname, 'src/main/workers/import-worker.ts'),
          'import-range-worker': resolve(__dirname, 'src/main/workers/import-range-worker.ts'),
          'train-worker': resolve(__dirname, 'src/main/workers/train-worker.ts'),
          'rank-worker': resolve(__dirname, 'src/main/workers/rank-worker.ts'),
          'trend-worker': resolve(__dirname, 'src/main/workers/trend-worker.ts'),
          'regimes-worker': resolve(__dirname, 'src/main/workers/regimes-worker.ts'),
          'store-worker': resolve(__dirname, 'src/main/workers/store-worker.ts'),
          'score-worker': resolve(__dirname, 'src/main/workers/score-worker.ts'),
          'export-worker': resolve(__dirname, 'src/main/workers/export-worker.ts'),
          'bundle-worker': resolve(__dirname, 'src/main/workers/bundle-worker.ts'),
          'evaluate-worker': resolve(__dirname, 'src/main/workers/evaluate-worker.ts'),
          'drift-worker': resolve(__dirname, 'src/main/workers/drift-worker.ts'),
          'report-worker': resolve(__dirname, 'src/main/workers/report-worker.ts'),
          'registry-worker': resolve(__dirname, 'src/main/workers/registry-worker.ts'),
          'gbdt-pool-worker': resolve(__dirname, 'src/main/workers/gbdt-pool-worker.ts'),
          'lstm-pool-worker': resolve(__dirname, 'src/main/workers/lstm-pool-worker.ts'),
          'serve-drift-worker': resolve(__dirname, 'src/main/workers/serve-drift-worker.ts'),
          'serve-score-worker': resolve(__dirname, 'src/main/workers/serve-score-worker.ts'),
          'serve-log-worker': resolve(__dirname, 'src/main/workers/serve-log-worker.ts'),
          'sync-ahead-worker': resolve(__dirname, 'src/main/workers/sync-ahead-worker.ts'),
        },
        output: { format: 'cjs', entryFileNames: '[name].js' },
      },
    },
  },
  preload: {
    plugins: [externalizeDepsPlugin({ exclude: ['zod'] })],
    build: {
      outDir: 'out/preload',
      rollupOptions: {
        input: { index: resolve(__dirname, 'src/preload/index.ts') },
        output: { format: 'cjs', entryFileNames: '[name].js' },
      },
    },
  },
  renderer: {
    root: 'src/renderer',
    plugins: [react()],
    build: {
      outDir: 'out/renderer',
      sourcemap: true,
      minify: true,
      chunkSizeWarningLimit: 4096,
      rollupOptions: { input: { index: resolve(__dirname, 'src/renderer/index.html') } },
    },
  },
});
