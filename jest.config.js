/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  // nock's interceptor (@mswjs/interceptors) keeps itself on a global that later files in the same worker reuse.
  // Jest 30's default 'soft' cleanup keeps it working but warns on each reuse; 'on' deletes it, and nock then
  // fails (a TypeError in its request handler). 'off': as before Jest 30, without the warnings.
  testEnvironmentOptions: { globalsCleanup: 'off' },
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  modulePathIgnorePatterns: ['<rootDir>/dist/'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { diagnostics: false }],
  },
  testTimeout: 30000,
  // dist/ current before any suite: the CLI suites run the built CLI (test/build.global-setup.ts).
  globalSetup: '<rootDir>/test/build.global-setup.ts',
  // Always in workers (jest runs in band on a 2-core machine otherwise), each recycled once it holds more than
  // this after a file: ts-jest's module registries grow per file; one long-lived process ran out of heap, and at
  // 1 GB an invariant suite (a thousand participations at once) timed out as the last file of a run, alone on the
  // machine, in a worker that had run many files before: it passes in seconds in a fresh one. At 600 MB the
  // invariant suites still ran 3-6x slower than in a fresh worker (two-instances 67 s against 8 s, stock-invariant
  // 43 s against 9 s); at 300 MB 15 s and 13 s.
  workerIdleMemoryLimit: '300MB',
  // Two at a time: suites wait on PostgreSQL, Redis and child processes, so two workers on two cores halve the
  // run; more would only crowd the one PostgreSQL and Redis every suite shares.
  maxWorkers: 2,
};
