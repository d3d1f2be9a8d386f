// Loads `patchloop scan`'s bundle (dist/scan.bundle.cjs, made by
// scripts/build-scan.js) with V8's code cache made for it at build time, the
// way Node.js 22's module.enableCompileCache() would (this code runs on Node.js
// 20). When the cache is missing, older than the bundle or made by another V8,
// the bundle compiles as usual: the cache only saves time.
import { readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Script } from 'node:vm';

const at = (path) => fileURLToPath(new URL(path, import.meta.url));
export const BUNDLE = at('../dist/scan.bundle.cjs');
export const CACHE = `${BUNDLE}.v8cache`;
/** The tsc -b outputs the bundle is made of (each project's build info changes with its output). */
const SOURCES = ['../dist', '../../core/dist', '../../store/dist'].map((d) => at(`${d}/.tsbuildinfo`));

/** CommonJS's function wrapper (Module.wrap), so that the bundle runs as a CommonJS module would. */
const wrap = (source) => `(function (exports, require, module, __filename, __dirname) { ${source}\n});`;
const mtime = (path) => statSync(path, { throwIfNoEntry: false })?.mtimeMs;

/** True when the bundle exists and is newer than what it was made from (else a `tsc -b` came after it). */
export function bundleIsFresh() {
  const bundle = mtime(BUNDLE);
  return bundle !== undefined && SOURCES.every((s) => (mtime(s) ?? Infinity) <= bundle);
}

/** Compiles and runs the bundle's top level: its Script (for the cache) and its scanMain. */
export function compileBundle() {
  const cache = (mtime(CACHE) ?? -Infinity) >= mtime(BUNDLE) ? readFileSync(CACHE) : undefined;
  const script = new Script(wrap(readFileSync(BUNDLE, 'utf8')), {
    filename: BUNDLE,
    cachedData: cache,
  });
  const module = { exports: {} };
  script.runInThisContext()(module.exports, createRequire(BUNDLE), module, BUNDLE, dirname(BUNDLE));
  return { script, scanMain: module.exports.scanMain };
}
