/**
 * Runs a commander program and maps what happens to an exit code (0 ok,
 * 1 failed or invalid input, 2 usage error): a PatchloopError exits with its
 * code's exit code in core's registry. Shared by `patchloop` and the
 * standalone `patchloop-agent`, so it imports no subcommand.
 */
import { CommanderError, type Command } from 'commander';
import { exitCodeOf, isPatchloopError } from '@patchloop/core';
import type { Io } from './commands/versions.js';

export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

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
      // The registry says which codes are usage errors (2); every other error is 1.
      return exitCodeOf(e.code);
    }
    io.stderr.write(
      `patchloop: internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`,
    );
    return EXIT.failed;
  }
}
