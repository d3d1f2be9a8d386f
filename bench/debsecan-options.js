// The ways `patchloop scan` can start, measured beside the shipped one in the debsecan
// benchmark (bench/debsecan.js), each from process start to exit on the same host and store:
//
//   node -e 0            an empty Node.js: the floor of any scan written for Node.js
//   whole CLI            dist/main.js, every command loaded (the scan's path before the lean entry)
//   lean modules         dist/scan-main.js: only the scan's modules (~100 of them), no bundle
//   bundle, no cache     dist/scan.bundle.cjs required as usual: one file, compiled at start-up
//   (shipped)            bin/patchloop.js: the bundle with V8's code cache (bin/scan-loader.js)
//   start-up snapshot    the bundle in a V8 start-up snapshot (`node --snapshot-blob`): not
//                        shippable behind `patchloop` (a flag of the node command itself), shown
//                        as what the heap snapshot would give
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const pathFor = (x) => JSON.stringify(x);

/** A command running `code` (an ES module) with the scan's arguments after it. */
const inline = (code, args) => [process.execPath, ['--input-type=module', '-e', code, 'scan', ...args]];

/** The scan's argv as commander wants it, from `node -e CODE scan …`. */
const ARGV = "['node', 'patchloop', ...process.argv.slice(1)]";

/** Commands keyed by option; `args` are the scan's arguments (after `scan`). */
export function scanOptionCommands(root, tmp, args) {
  const cli = join(root, 'packages', 'cli');
  const bundle = join(cli, 'dist', 'scan.bundle.cjs');
  const store = "() => import('@patchloop/store')";
  const commands = {
    nodeEmpty: [process.execPath, ['-e', '0']],
    wholeCli: inline(
      `const { main } = await import(${pathFor(join(cli, 'dist', 'main.js'))}); process.exitCode = await main(${ARGV});`,
      args,
    ),
    leanModules: inline(
      `const { scanMain } = await import(${pathFor(join(cli, 'dist', 'scan-main.js'))}); process.exitCode = await scanMain(${ARGV}, undefined, ${store});`,
      args,
    ),
  };
  if (!existsSync(bundle)) return commands; // not built: the options made from the bundle are left out
  commands.bundleNoCache = inline(
    `import { createRequire } from 'node:module'; const { scanMain } = createRequire(import.meta.url)(${pathFor(bundle)}); process.exitCode = await scanMain(${ARGV}, undefined, ${store});`,
    args,
  );
  // The snapshot: the bundle's text, then the main function node runs after deserializing. The
  // snapshot builder runs a script with require() for built-ins only: no module, no exports.
  const entry = join(tmp, 'scan-snapshot.cjs');
  writeFileSync(
    entry,
    `const module = { exports: {} };\n(function (exports, module) {\n${readFileSync(bundle, 'utf8')}\n})(module.exports, module);\n` +
      `require('node:v8').startupSnapshot.setDeserializeMainFunction(() => {` +
      `module.exports.scanMain(${ARGV}).then((c) => { process.exitCode = c; }); });\n`,
  );
  const blob = join(tmp, 'scan.blob');
  try {
    execFileSync(process.execPath, ['--snapshot-blob', blob, '--build-snapshot', entry], { stdio: 'pipe' });
    commands.snapshot = [process.execPath, ['--snapshot-blob', blob, 'scan', ...args]];
  } catch (e) {
    console.log(`debsecan: no start-up snapshot (${String(e.stderr ?? e).split('\n')[0]})`);
  }
  return commands;
}

export const OPTION_LABELS = {
  nodeEmpty: ['`node -e 0`', 'an empty Node.js: the floor'],
  wholeCli: ['whole CLI', '`dist/main.js`, every command loaded (the scan before this change)'],
  leanModules: ['lean entry, modules', '`dist/scan-main.js`: only the scan’s modules'],
  bundleNoCache: [
    'lean entry, bundled',
    '`dist/scan.bundle.cjs` required as usual (one file, compiled at start)',
  ],
  snapshot: [
    'start-up snapshot',
    'the bundle in a V8 snapshot, `node --snapshot-blob` (not shippable as `patchloop`)',
  ],
};

/** The options table of the section: each option's time and its ratio to debsecan in the same run. */
export function optionsMarkdown(r) {
  const rows = [
    ['debsecan', 'Debian’s scanner', r.debsecan],
    [
      '**`patchloop scan` (shipped)**',
      'lean entry, bundle and V8 code cache (`bin/patchloop.js`)',
      r.patchloop,
    ],
    ...Object.entries(OPTION_LABELS)
      .filter(([k]) => r.options[k] !== undefined)
      .map(([k, [name, what]]) => [name, what, r.options[k]]),
  ];
  const ratio = (x) => (x.meanMs / r.debsecan.meanMs).toFixed(2);
  return `| start-up | what runs | mean ms | median ms | min ms | CPU ms (mean) | × debsecan (mean) |
| --- | --- | ---: | ---: | ---: | ---: | ---: |
${rows.map(([n, w, x]) => `| ${n} | ${w} | ${x.meanMs} | ${x.medianMs} | ${x.minMs} | ${x.cpuMs ?? '–'} | ${ratio(x)} |`).join('\n')}`;
}
