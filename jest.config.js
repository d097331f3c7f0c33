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
  // A guard against a hung test, not a speed target (those are benchmarks): CI's busy two cores ran some
  // end-to-end tests, a dozen CLI runs each, for 20-25 s.
  testTimeout: 60000,
  // dist/ current before any suite: the CLI suites run the built CLI (test/build.global-setup.ts).
  globalSetup: '<rootDir>/test/build.global-setup.ts',
  // Always in workers (jest runs in band on a 2-core machine otherwise), each recycled once it holds more than
  // this after a file: ts-jest's module registries grow per file; one long-lived process ran out of heap, and at
  // 1 GB an invariant suite (a thousand participations at once) timed out as the last file of a run, alone on the
  // machine, in a worker that had run many files before: it passes in seconds in a fresh one. At 600 MB the
  // invariant suites still ran 3-6x slower than in a fresh worker (two-instances 67 s against 8 s, stock-invariant
  // 43 s against 9 s); at 300 MB 15 s and 13 s.
  workerIdleMemoryLimit: '300MB',
  // Three at a time on two cores: suites spend much of their time waiting (on PostgreSQL, Redis, child processes
  // and the deadlines they prove), so a third keeps both cores busy. The full suite on a 2-vCPU host: 720 s with
  // two workers, 511 s with three (1.7 cores busy on average).
  maxWorkers: 3,
};
