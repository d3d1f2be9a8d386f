#!/usr/bin/env node
// The patchloop command. The TypeScript sources are compiled to dist/ by
// `npm ci` (the root package's prepare script runs `npm run build`).
//
// `patchloop scan` loads only what a scan needs (dist/scan-main.js): its
// start-up is most of a scan's time (BENCHMARKS.md, "Single-host scan against
// debsecan"). The build also bundles it into one file with V8's code cache
// (scripts/build-scan.js), run instead while it is newer than the compiled
// code it was made from (after a later `tsc -b`, dist/scan-main.js runs).
// This file and scan-loader.js are CommonJS (bin/package.json): a scan then
// starts without Node's ES module loader, whose start-up is ~10 ms of a scan.
'use strict';
const { existsSync } = require('node:fs');
const { join } = require('node:path');
const { pathToFileURL } = require('node:url');

const dist = (file) => join(__dirname, '..', 'dist', file);
const run = (done) =>
  done.then((code) => {
    process.exitCode = code;
  });

if (!existsSync(dist('main.js'))) {
  process.stderr.write('patchloop: not built yet; run `npm run build` in the repository root\n');
  process.exit(2);
}
if (process.argv[2] === 'scan') {
  const loader = require('./scan-loader.js');
  // The bundle cannot import() (scan-loader.js): it gets the store from here.
  const importStore = () => import('@patchloop/store');
  const scanMain = loader.bundleIsFresh()
    ? Promise.resolve(loader.compileBundle().scanMain)
    : import(pathToFileURL(dist('scan-main.js')).href).then((m) => m.scanMain);
  run(scanMain.then((main) => main(process.argv, undefined, importStore)));
} else {
  run(import(pathToFileURL(dist('main.js')).href).then((m) => m.main(process.argv)));
}
