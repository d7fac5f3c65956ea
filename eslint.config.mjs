// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/**
 * typescript-eslint's strict rules over the service, the libraries, the benchmark and the tests.
 * Formatting is Prettier's (.prettierrc.json), not the linter's.
 */
export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', '.kafka/', 'data/', 'bench-results/', 'coverage/', '**/*.js', '**/*.mjs'] },
  js.configs.recommended,
  ...tseslint.configs.strict,
  {
    rules: {
      // `x!` marks a lookup whose presence the code has just established (a Map filled a few lines
      // up, a key taken from the same list): the rule would turn each into a check that cannot
      // fail. A `!` on anything that comes from input is a bug, and review catches it.
      '@typescript-eslint/no-non-null-assertion': 'off',
      // A leading underscore names what a signature or a destructuring must hold but the code
      // does not use.
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' },
      ],
      // Nest modules are classes whose decorator is their content.
      '@typescript-eslint/no-extraneous-class': ['error', { allowWithDecorator: true }],
      // Prettier wraps code at 120; this catches what it leaves long (strings, comments).
      'max-len': ['error', { code: 120, ignoreUrls: true, ignoreRegExpLiterals: true }],
    },
  },
  {
    // A function says one thing; a test suite (describe/it callbacks) is a list, and is exempt.
    files: ['apps/ledger/**/*.ts', 'libs/**/*.ts'],
    ignores: ['**/*.spec.ts', '**/*.int-spec.ts', '**/testing/**'],
    rules: { 'max-lines-per-function': ['error', { max: 60, skipBlankLines: true, skipComments: true }] },
  },
);
