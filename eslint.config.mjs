// Lint: ESLint's and typescript-eslint's recommended rules (those the Bot Framework samples use),
// formatting left to Prettier (eslint-config-prettier turns the overlapping rules off), and no line
// of code or comment over 120 characters (Prettier wraps code; comments are ours to cut).
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'prisma/generated/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  prettier,
  {
    rules: {
      // Strings and template literals included (SQL is wrapped, long texts are cut with +); a URL or a
      // regular expression may not be cut.
      'max-len': ['error', { code: 120, ignoreUrls: true, ignoreRegExpLiterals: true }],
      // `_name` marks what is left unused on purpose (a destructured field dropped, a callback's argument).
      '@typescript-eslint/no-unused-vars': [
        'error',
        {
          argsIgnorePattern: '^_',
          varsIgnorePattern: '^_',
          destructuredArrayIgnorePattern: '^_',
          caughtErrors: 'none',
        },
      ],
    },
  },
  {
    // The pages' own scripts run in the browser.
    files: ['bot/channels/webchat/public/**/*.js', 'bot/dashboard/public/**/*.js'],
    languageOptions: { globals: globals.browser, sourceType: 'script' },
  },
  {
    // Build scripts and CommonJS helpers run in Node.
    files: ['scripts/**/*.mjs', '**/*.cjs', 'jest.config.js'],
    languageOptions: { globals: globals.node },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // Tests and benchmarks read answers as they come (`any` in their HTTP helpers).
    files: ['test/**/*.ts', 'bench/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
);
