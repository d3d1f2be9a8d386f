/**
 * The package dependency rule of docs/ARCHITECTURE.md, checked in CI:
 * core depends on nothing of ours and does no I/O; nothing imports an app
 * (server, agent, cli, web) except the CLI starting one.
 */
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'core-is-pure',
      comment: 'core is the pure domain: no Node built-ins (I/O), no other Patchloop package',
      severity: 'error',
      from: { path: '^packages/core/src', pathNot: '\\.test\\.ts$' },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'core-imports-no-package',
      severity: 'error',
      from: { path: '^packages/core/src', pathNot: '\\.test\\.ts$' },
      to: { path: '^packages/(?!core/)' },
    },
    {
      name: 'feeds-and-store-import-only-core',
      comment: 'feeds and store are libraries over core; the apps wire them together',
      severity: 'error',
      from: { path: '^packages/(feeds|store)/' },
      to: { path: '^packages/(?!core/|test-support/)', pathNot: '^packages/$1/' },
    },
    {
      name: 'contracts-imports-only-core',
      severity: 'error',
      from: { path: '^packages/contracts/src' },
      to: { path: '^packages/(?!core/|contracts/)' },
    },
    {
      name: 'libraries-import-no-app',
      comment: 'feeds and store may use core only; no library imports an app',
      severity: 'error',
      from: { path: '^packages/(core|contracts|feeds|store)/src' },
      to: { path: '^packages/(server|agent|cli|web)/' },
    },
    {
      name: 'apps-import-no-other-app',
      comment: 'only the CLI starts the server or the agent',
      severity: 'error',
      from: { path: '^packages/(server|agent|web)/src' },
      to: { path: '^packages/(server|agent|cli|web)/', pathNot: '^packages/$1/' },
    },
    {
      name: 'agent-command-loads-no-server',
      comment:
        '`patchloop agent` and the bundled agent parse their options (--interval) with core, never the server',
      severity: 'error',
      from: { path: '^packages/cli/src/(agent-bin|agent-main|commands/agent)\\.ts$' },
      to: { path: '^packages/(server|store|feeds)/', reachable: true },
    },
    {
      name: 'test-support-only-in-tests',
      comment:
        'test-support (fixtures, throwaway PostgreSQL, protocol clients) serves tests, test helpers ' +
        '(testing/, testdata/) and benchmarks; production code never imports it',
      severity: 'error',
      from: {
        path: '^packages/(?!test-support/)[^/]+/src/',
        pathNot: ['\\.test\\.tsx?$', '/testing/', '/testdata/'],
      },
      to: { path: '^packages/test-support/' },
    },
    {
      name: 'test-support-imports-no-app',
      comment: 'test-support sits under every package: it may use core and contracts only',
      severity: 'error',
      from: { path: '^packages/test-support/' },
      to: { path: '^packages/(?!core/|contracts/|test-support/)' },
    },
    {
      name: 'no-circular',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(dist|node_modules)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.check.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['source', 'import', 'default'],
      extensions: ['.ts', '.js'],
    },
    combinedDependencies: true,
  },
};
