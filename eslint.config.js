// ESLint flat config: typescript-eslint's recommended rules on every package,
// type-aware promise rules on the TypeScript sources and tests, at most 400
// lines (of code) per source file, plus the architectural rule that
// @patchloop/core stays pure (no I/O, no clock, no env). The package
// dependency rule is checked by dependency-cruiser (.dependency-cruiser.cjs);
// formatting is Prettier's.
import js from '@eslint/js';
import globals from 'globals';
import reactHooks from 'eslint-plugin-react-hooks';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', '**/coverage/**', 'patchloop-data/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node }, ecmaVersion: 2023, sourceType: 'module' },
    rules: {
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      eqeqeq: ['error', 'always'],
      'no-console': 'off',
    },
  },
  {
    // A promise nobody awaits loses its error; one passed where a callback's result is ignored
    // (an event handler, a timer) too. Type-aware: one TypeScript program per tsconfig that
    // already type-checks these files (tsconfig.check.json: every package but the console, tests
    // included; the console's own). projectService would need a tsconfig.json beside every test
    // folder and builds a program per package, re-checking the shared sources in each: slower.
    files: ['packages/*/src/**/*.{ts,tsx}', 'packages/*/test/**/*.ts'],
    languageOptions: {
      parserOptions: {
        project: ['./tsconfig.check.json', './packages/web/tsconfig.json'],
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
    },
  },
  {
    // The CLI's bin files are CommonJS (packages/cli/bin/package.json): `patchloop scan` starts
    // without Node's ES module loader.
    files: ['packages/cli/bin/*.js'],
    languageOptions: { sourceType: 'commonjs' },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // Small modules: a source file past 400 lines of code is split by concern (tests are exempt).
    files: ['packages/*/src/**/*.{ts,tsx}'],
    ignores: ['**/*.test.{ts,tsx}', '**/testdata/**'],
    rules: { 'max-lines': ['error', { max: 400, skipBlankLines: true, skipComments: true }] },
  },
  {
    // The console runs in the browser; React's rules of hooks hold there.
    files: ['packages/web/**/*.{ts,tsx}'],
    plugins: { 'react-hooks': reactHooks },
    languageOptions: { globals: { ...globals.browser } },
    rules: { ...reactHooks.configs.recommended.rules },
  },
  {
    files: ['packages/core/src/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          // Bare module names as exact paths (a pattern "os" would also match "./os/list.js").
          paths: ['fs', 'path', 'os', 'child_process', 'http', 'https', 'net', 'crypto', 'zlib'].map(
            (name) => ({
              name,
              message: 'core is pure: no I/O (DESIGN.md)',
            }),
          ),
          patterns: [
            { group: ['node:*'], message: 'core is pure: no I/O (DESIGN.md)' },
            { group: ['@patchloop/*'], message: 'core imports no other Patchloop package' },
          ],
        },
      ],
      'no-restricted-globals': [
        'error',
        { name: 'process', message: 'core is pure: no env, no process (pass values in)' },
        { name: 'fetch', message: 'core is pure: no I/O' },
      ],
      'no-restricted-properties': [
        'error',
        { object: 'Date', property: 'now', message: 'core has no clock: pass `now` in' },
        { object: 'Math', property: 'random', message: 'core is deterministic: pass a seed or an rng' },
        { object: 'console', message: 'core does no logging' },
      ],
      'no-restricted-syntax': [
        'error',
        {
          selector: "NewExpression[callee.name='Date'][arguments.length=0]",
          message: 'core has no clock: pass `now` in',
        },
      ],
    },
  },
);
