/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  // Channel folders keep their own tests beside their code (bot/channels/<name>/test).
  roots: ['<rootDir>/test', '<rootDir>/bot'],
  testMatch: ['**/*.test.ts'],
  transform: {
    // Type checking is done once by `tsc --noEmit` in `npm test`; ts-jest only transpiles.
    '^.+\\.ts$': ['ts-jest', { diagnostics: false }],
  },
  testTimeout: 30000,
  globalSetup: '<rootDir>/test/support/globalSetup.ts',
};
