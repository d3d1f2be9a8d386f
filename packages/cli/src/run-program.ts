/**
 * Runs a commander program and maps what happens to an exit code (0 ok,
 * 1 failed or invalid input, 2 usage error). Shared by `patchloop` and the
 * standalone `patchloop-agent`, so it imports no subcommand.
 */
import { CommanderError, type Command } from 'commander';
import { isPatchloopError } from '@patchloop/core';
import type { Io } from './commands/versions.js';

export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

/** Errors in how the command was called rather than in the data it read. */
const USAGE_CODES = new Set<string>([
  'PL_USAGE',
  'PL_VERSION_SCHEME_UNKNOWN',
  'PL_FEED_SOURCE_UNKNOWN',
  'PL_SCAN_INPUT_INVALID',
  'PL_OS_SPEC_INVALID',
]);

/** Parses argv with the program `make` builds and maps what happens to an exit code. */
export async function runProgram(
  make: (setExit: (code: number) => void) => Command,
  argv: string[],
  io: Io,
): Promise<number> {
  let exit: number = EXIT.ok;
  const program = make((code) => (exit = code));
  try {
    await program.parseAsync(argv);
    return exit;
  } catch (e) {
    if (e instanceof CommanderError) {
      return e.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    if (isPatchloopError(e)) {
      io.stderr.write(`error ${e.code}: ${e.message}\n`);
      return USAGE_CODES.has(e.code) ? EXIT.usage : EXIT.failed;
    }
    io.stderr.write(
      `patchloop: internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`,
    );
    return EXIT.failed;
  }
}
