import { defineConfig } from 'vitest/config';

/**
 * Integration files that may run two at a time: each asserts nothing about wall-clock time or
 * responsiveness and uses no shared server (Redis, PostgreSQL). Every other integration file — and
 * every new one until it is listed here — runs alone, one file at a time, as before, and all of them
 * before these. The shared FD001 store (test/helpers/fd001-store.ts) is built on first use by
 * drift/fd001-drift.test.ts, which stays in the serial group, so the files here that use it find it built.
 */
const INTEGRATION_PARALLEL = [
  'test/integration/bundles/library.test.ts',
  'test/integration/bundles/trust.test.ts',
  'test/integration/cli/bad-args.test.ts',
  'test/integration/cli/bundle.test.ts',
  'test/integration/cli/cli.test.ts',
  'test/integration/cli/drift-fd001.test.ts',
  'test/integration/cli/drift.test.ts',
  'test/integration/cli/experiments-compare.test.ts',
  'test/integration/cli/keys.test.ts',
  'test/integration/cli/predict-rul.test.ts',
  'test/integration/cli/regimes.test.ts',
  'test/integration/cli/registry.test.ts',
  'test/integration/cli/runs-store.test.ts',
  'test/integration/drift/fd001-estimate.test.ts',
  'test/integration/export/fd001-export.test.ts',
  'test/integration/export/rul-run-export.test.ts',
  'test/integration/gbdt/treeshap-parity.test.ts',
  'test/integration/gbdt/xgboost-parity.test.ts',
  'test/integration/gbdt/xgboost-regression.test.ts',
  'test/integration/registry/migration.test.ts',
  'test/integration/registry/registry.test.ts',
  'test/integration/lstm/fd001.test.ts',
  'test/integration/report/build.test.ts',
  'test/integration/report/byte-identity.test.ts',
  'test/integration/report/cli-report.test.ts',
  'test/integration/report/fd001-report.test.ts',
  'test/integration/report/pdf.test.ts',
  'test/integration/serve-model/bad-input.test.ts',
  'test/integration/serve-model/cli.test.ts',
  'test/integration/serve-model/predict-fd001.test.ts',
  'test/integration/serve-model/predict.test.ts',
  'test/integration/server/browser-host.test.ts',
  'test/integration/server/electron-sources.test.ts',
  'test/integration/server/path-sources.test.ts',
  'test/integration/server/reports-http.test.ts',
  'test/integration/server/upload-names.test.ts',
  'test/integration/pipelines/app-files.test.ts',
  'test/integration/pipelines/pipeline-cli.test.ts',
  'test/integration/sweep/cli-sweep.test.ts',
  'test/integration/sweep/fd001-sweep.test.ts',
  'test/integration/store/pipelines-016.test.ts',
  'test/integration/services/reports.test.ts',
  'test/integration/services/store-reads.test.ts',
  'test/integration/store/alerts.test.ts',
  'test/integration/store/backup.test.ts',
  'test/integration/store/datasets.test.ts',
  'test/integration/store/drift-reports.test.ts',
  'test/integration/store/fleet-reports.test.ts',
  'test/integration/store/integrity.test.ts',
  'test/integration/store/keys.test.ts',
  'test/integration/store/migrations.test.ts',
  'test/integration/store/runs.test.ts',
  'test/integration/train/fd001-ensemble.test.ts',
  'test/integration/train/fd001-gbdt.test.ts',
  'test/integration/train/rul.test.ts',
  'test/integration/train/train-run.test.ts',
];

const integration = {
  environment: 'node',
  testTimeout: 300_000,
  hookTimeout: 300_000,
} as const;

export default defineConfig({
  test: {
    // two forks where a project allows more than one (vitest's default on a 2-core machine is one)
    maxWorkers: 2,
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          environment: 'node',
          testTimeout: 30_000,
          // a few files train a small model once in beforeAll; on a busy 2-core machine that passes 10 s
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          exclude: INTEGRATION_PARALLEL,
          ...integration,
          // integration tests share the 2-core machine with the workers they start themselves
          sequence: { concurrent: false, groupOrder: 1 },
          poolOptions: { forks: { singleFork: true } },
        },
      },
      {
        test: {
          // `--project 'integration*'` runs both integration projects: this one after the other, never beside it
          name: 'integration-parallel',
          include: INTEGRATION_PARALLEL,
          ...integration,
          sequence: { concurrent: false, groupOrder: 2 },
        },
      },
    ],
  },
});
