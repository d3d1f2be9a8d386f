// Loads `patchloop scan`'s bundle (dist/scan.bundle.cjs, made by
// scripts/build-scan.js) with V8's code cache made for it at build time, the
// way Node.js 22's module.enableCompileCache() would (this code runs on Node.js
// 20). When the cache is missing, older than the bundle or made by another V8,
// the bundle compiles as usual: the cache only saves time.
'use strict';
const { readFileSync, statSync } = require('node:fs');
const { createRequire } = require('node:module');
const { dirname, join } = require('node:path');
const { Script } = require('node:vm');

const BUNDLE = join(__dirname, '..', 'dist', 'scan.bundle.cjs');
const CACHE = `${BUNDLE}.v8cache`;
/** The tsc -b outputs the bundle is made of (each project's build info changes with its output). */
const SOURCES = ['cli', 'core', 'store'].map((p) => join(__dirname, '..', '..', p, 'dist', '.tsbuildinfo'));

/** CommonJS's function wrapper (Module.wrap), so that the bundle runs as a CommonJS module would. */
const wrap = (source) => `(function (exports, require, module, __filename, __dirname) { ${source}\n});`;
const mtime = (path) => statSync(path, { throwIfNoEntry: false })?.mtimeMs;

/** True when the bundle exists and is newer than what it was made from (else a `tsc -b` came after it). */
function bundleIsFresh() {
  const bundle = mtime(BUNDLE);
  return bundle !== undefined && SOURCES.every((s) => (mtime(s) ?? Infinity) <= bundle);
}

/** Compiles and runs the bundle's top level: its Script (for the cache) and its scanMain. */
function compileBundle() {
  const cache = (mtime(CACHE) ?? -Infinity) >= mtime(BUNDLE) ? readFileSync(CACHE) : undefined;
  const script = new Script(wrap(readFileSync(BUNDLE, 'utf8')), { filename: BUNDLE, cachedData: cache });
  const module = { exports: {} };
  script.runInThisContext()(module.exports, createRequire(BUNDLE), module, BUNDLE, dirname(BUNDLE));
  return { script, scanMain: module.exports.scanMain };
}

module.exports = { BUNDLE, CACHE, bundleIsFresh, compileBundle };
