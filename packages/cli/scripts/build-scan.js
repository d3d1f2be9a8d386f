#!/usr/bin/env node
// Bundles `patchloop scan` (dist/scan-main.js, compiled by `tsc -b`) and what it
// imports into one CommonJS file, dist/scan.bundle.cjs, with V8's code cache for
// it beside it (dist/scan.bundle.cjs.v8cache); bin/patchloop.js runs them for
// `patchloop scan` (scan-loader.js). One file to read instead of ~100 modules to
// resolve, link and compile, only the parts of core a scan uses, and compiled
// code from the cache: start-up is most of a scan's time (BENCHMARKS.md,
// "Single-host scan against debsecan"). Run by `npm run build`.
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'rolldown';
import loader from '../bin/scan-loader.js';

const { BUNDLE, CACHE, compileBundle } = loader;

const CLI = join(import.meta.dirname, '..');
const { version } = JSON.parse(readFileSync(join(CLI, 'package.json'), 'utf8'));

// The bundle changes: an old cache must never be read with it.
rmSync(CACHE, { force: true });
await build({
  input: join(CLI, 'dist/scan-main.js'),
  platform: 'node',
  logLevel: 'warn',
  // PGlite (a scan without a complete scan index) loads from node_modules when needed.
  external: ['@patchloop/store'],
  transform: { define: { PATCHLOOP_CLI_VERSION: JSON.stringify(version) } },
  output: {
    file: BUNDLE,
    format: 'cjs',
    minify: true,
    codeSplitting: false,
    banner: `// Patchloop ${version}: \`patchloop scan\` and its dependencies, bundled by scripts/build-scan.js.`,
  },
});

// The code cache: the bundle compiled and run as far as `patchloop scan --help`, so
// that it holds the functions start-up and argument parsing compile, not only the
// top level. V8 rejects it for another Node.js version; the bundle then compiles as usual.
const { script, scanMain } = compileBundle();
const quiet = { stdin: process.stdin, stdout: { write: () => true }, stderr: { write: () => true } };
await scanMain(['node', 'patchloop', 'scan', '--help'], quiet);
writeFileSync(CACHE, script.createCachedData());
