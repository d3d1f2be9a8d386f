/**
 * POSIX shell quoting for the command line `ssh` hands to the remote shell.
 * ssh joins its arguments with spaces and the remote user's shell parses the
 * result, so every argument is quoted: inside single quotes nothing is special
 * but the single quote itself, which is written as '\'' (close, escaped quote,
 * reopen). Arguments made only of characters no shell treats specially are
 * left bare, for readable logs.
 */
import { PatchloopError } from '@patchloop/core';

const BARE = /^[A-Za-z0-9_@%+=:,./-]+$/;

/** One argument, quoted for a POSIX shell. */
export function shellQuoteArg(arg: string): string {
  if (arg.includes('\0')) {
    throw new PatchloopError('PL_AGENT_RUNNER_INVALID', 'a command argument cannot contain a NUL byte');
  }
  if (BARE.test(arg)) return arg;
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}

/** The arguments as one POSIX shell command line that the shell splits back into exactly these words. */
export function shellQuote(args: readonly string[]): string {
  return args.map(shellQuoteArg).join(' ');
}
