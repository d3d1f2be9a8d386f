#!/usr/bin/env node
// The patchloop command. The TypeScript sources are compiled to dist/ by
// `npm ci` (the root package's prepare script runs `npm run build`).
//
// `patchloop scan` loads only what a scan needs (dist/scan-main.js): its
// start-up is most of a scan's time (BENCHMARKS.md, "Single-host scan against
// debsecan"). The build also bundles it into one file with V8's code cache
// (scripts/build-scan.js), run instead while it is newer than the compiled
// code it was made from (after a later `tsc -b`, dist/scan-main.js runs).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

if (!existsSync(fileURLToPath(new URL('../dist/main.js', import.meta.url)))) {
  process.stderr.write('patchloop: not built yet; run `npm run build` in the repository root\n');
  process.exit(2);
}
if (process.argv[2] === 'scan') {
  const loader = await import('./scan-loader.js');
  const { scanMain } = loader.bundleIsFresh()
    ? loader.compileBundle()
    : await import(new URL('../dist/scan-main.js', import.meta.url).href);
  // The bundle cannot import() (scan-loader.js): it gets the store from here.
  process.exitCode = await scanMain(process.argv, undefined, () => import('@patchloop/store'));
} else {
  const { main } = await import(new URL('../dist/main.js', import.meta.url).href);
  process.exitCode = await main(process.argv);
}
