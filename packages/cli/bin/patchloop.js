#!/usr/bin/env node
// The patchloop command. The TypeScript sources are compiled to dist/ by
// `npm ci` (the root package's prepare script runs `tsc -b`).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const entry = new URL('../dist/main.js', import.meta.url);
if (!existsSync(fileURLToPath(entry))) {
  process.stderr.write('patchloop: not built yet; run `npm run build` in the repository root\n');
  process.exit(2);
}
const { main } = await import(entry.href);
process.exitCode = await main(process.argv);
