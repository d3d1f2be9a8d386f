// ESLint flat config: typescript-eslint's recommended rules on every package,
// plus the architectural rule that @patchloop/core stays pure (no I/O, no
// clock, no env). The package dependency rule is checked by dependency-cruiser
// (.dependency-cruiser.cjs); formatting is Prettier's.
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
    },
  },
);
