/**
 * `patchloop scan` alone: bin/patchloop.js runs this program instead of the
 * whole command line when the first argument is `scan`, so a scan loads only
 * core, commander, the store's scan index and its own modules — not feeds,
 * the server, PGlite or the other commands (the scan's start-up is most of
 * its time: see BENCHMARKS.md, "Single-host scan against debsecan"). The
 * build also bundles this file into dist/scan.bundle.mjs (scripts/build-scan.js).
 */
import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { scanCommand } from './commands/scan.js';
import type { ImportStore } from './scan/run.js';
import type { Io } from './commands/versions.js';
import { runProgram } from './run-program.js';
import { loadStoreConfig } from './store-config.js';

/** The CLI's version; the bundle gets it at build time (it has no package.json beside it). */
declare const PATCHLOOP_CLI_VERSION: string | undefined;

function cliVersion(): string {
  if (typeof PATCHLOOP_CLI_VERSION === 'string') return PATCHLOOP_CLI_VERSION;
  const url = new URL('../package.json', import.meta.url);
  return (JSON.parse(readFileSync(url, 'utf8')) as { version: string }).version;
}

export function scanMain(
  argv: string[],
  io: Io = { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr },
  importStore?: ImportStore,
): Promise<number> {
  return runProgram(
    (setExit) => {
      const out = {
        writeOut: (s: string) => io.stdout.write(s),
        writeErr: (s: string) => io.stderr.write(s),
      };
      const scan = scanCommand(io, loadStoreConfig(process.env), setExit, cliVersion(), importStore)
        .configureOutput(out)
        .exitOverride();
      return new Command('patchloop')
        .configureOutput(out)
        .exitOverride()
        .showHelpAfterError('(run with --help for usage)')
        .addCommand(scan);
    },
    argv,
    io,
  );
}
