/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  // Every test lives under test/ (test/whatsapp, test/webchat for the channels).
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    // Type checking is done once by `tsc --noEmit` in `npm test`; ts-jest only transpiles.
    '^.+\\.ts$': ['ts-jest', { diagnostics: false }],
  },
  testTimeout: 30000,
  globalSetup: '<rootDir>/test/support/globalSetup.ts',
};
