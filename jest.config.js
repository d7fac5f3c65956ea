/**
 * Three projects, split by speed (STYLE.md): `unit` (*.spec.ts, no I/O), `integration`
 * (*.int-spec.ts, a real PostgreSQL and Kafka) and `e2e` (test/e2e, the built service over
 * HTTP). Each runs alone with `--selectProjects`. The global setup finds or starts the servers.
 */
const ts = {
  '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json', diagnostics: false }],
};
const moduleNameMapper = { '^#ledger/(.*)$': '<rootDir>/libs/$1/src/index.ts' };
const common = { rootDir: __dirname, testEnvironment: 'node', transform: ts, moduleNameMapper };

module.exports = {
  transform: ts,
  moduleNameMapper,
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  testTimeout: 60_000,
  reporters: ['default', '<rootDir>/test/support/summary-reporter.js'],
  projects: [
    {
      ...common,
      displayName: 'unit',
      testMatch: ['<rootDir>/{apps,libs}/**/*.spec.ts', '<rootDir>/test/deploy/**/*.spec.ts'],
    },
    { ...common, displayName: 'integration', testMatch: ['<rootDir>/{apps,libs,test}/**/*.int-spec.ts'] },
    { ...common, displayName: 'e2e', testMatch: ['<rootDir>/test/e2e/**/*.e2e-spec.ts'] },
  ],
};
