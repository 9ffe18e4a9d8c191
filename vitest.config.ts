import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
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
          environment: 'node',
          testTimeout: 300_000,
          hookTimeout: 300_000,
          // integration tests share the 2-core machine with the workers they start themselves
          sequence: { concurrent: false },
          poolOptions: { forks: { singleFork: true } },
        },
      },
    ],
  },
});
