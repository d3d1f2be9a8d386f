/**
 * `patchloop versions compare|sort`: the version schemes of @patchloop/core on
 * the command line, for scripts and for checking what Patchloop believes.
 */
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { Command, Option } from 'commander';
import {
  isPatchloopError,
  PatchloopError,
  schemeFor,
  SCHEME_NAMES,
  type VersionScheme,
} from '@patchloop/core';

export interface Io {
  stdin: Readable;
  stdout: Writable;
  stderr: Writable;
}

function describeError(e: unknown): string {
  if (isPatchloopError(e)) return `error ${e.code}: ${e.message}`;
  throw e;
}

/** One output line for one input line of `compare --stdin`; ok=false for an error line. */
export function compareLine(scheme: VersionScheme<unknown>, line: string): { text: string; ok: boolean } {
  const fields = line
    .trim()
    .split(/\s+/)
    .filter((f) => f !== '');
  if (fields.length !== 2) {
    return {
      text: `error PL_INPUT_LINE_INVALID: expected two versions separated by whitespace, got ${fields.length}`,
      ok: false,
    };
  }
  try {
    return { text: String(scheme.compare(fields[0] as string, fields[1] as string)), ok: true };
  } catch (e) {
    return { text: describeError(e), ok: false };
  }
}

async function* inputLines(stdin: Readable): AsyncGenerator<string> {
  const rl = createInterface({ input: stdin, crlfDelay: Infinity });
  for await (const line of rl) yield line;
}

/** Buffered writes: one syscall per 64 KiB rather than per line. */
function bufferedWriter(out: Writable) {
  let buf: string[] = [];
  let size = 0;
  const flush = async () => {
    if (buf.length === 0) return;
    const chunk = buf.join('');
    buf = [];
    size = 0;
    if (!out.write(chunk)) await new Promise((r) => out.once('drain', r));
  };
  return {
    async line(s: string) {
      buf.push(s, '\n');
      size += s.length + 1;
      if (size >= 65536) await flush();
    },
    flush,
  };
}

const ecosystemOption = () =>
  new Option(
    '-e, --ecosystem <name>',
    `version scheme: ${SCHEME_NAMES.join(', ')} (or a distribution: ubuntu, almalinux, alpine, …)`,
  ).makeOptionMandatory();

export function versionsCommand(io: Io, setExit: (code: number) => void): Command {
  const versions = new Command('versions').description(
    'compare and sort package versions exactly as the package managers do',
  );

  versions
    .command('compare')
    .description('print -1, 0 or 1: whether A sorts before, equal to, or after B')
    .addOption(ecosystemOption())
    .option('--stdin', 'read one pair "A B" per line from stdin; print one result per line')
    .argument('[a]', 'first version')
    .argument('[b]', 'second version')
    .action(
      async (a: string | undefined, b: string | undefined, opts: { ecosystem: string; stdin?: boolean }) => {
        const scheme = schemeFor(opts.ecosystem);
        if (opts.stdin) {
          if (a !== undefined) throw usage('give versions either as arguments or with --stdin, not both');
          const out = bufferedWriter(io.stdout);
          let failed = false;
          for await (const line of inputLines(io.stdin)) {
            const r = compareLine(scheme, line);
            failed ||= !r.ok;
            await out.line(r.text);
          }
          await out.flush();
          setExit(failed ? 1 : 0);
          return;
        }
        if (a === undefined || b === undefined) throw usage('compare needs two versions A B (or --stdin)');
        io.stdout.write(`${scheme.compare(a, b)}\n`);
      },
    );

  versions
    .command('sort')
    .description('sort versions read from stdin (one per line), oldest first')
    .addOption(ecosystemOption())
    .option('-r, --reverse', 'newest first')
    .action(async (opts: { ecosystem: string; reverse?: boolean }) => {
      const scheme = schemeFor(opts.ecosystem);
      const items: { v: string; p: unknown }[] = [];
      let n = 0;
      let failed = false;
      for await (const line of inputLines(io.stdin)) {
        n++;
        const v = line.trim();
        if (v === '') continue;
        try {
          items.push({ v, p: scheme.parse(v) });
        } catch (e) {
          failed = true;
          io.stderr.write(`line ${n}: ${describeError(e)}\n`);
        }
      }
      if (failed) {
        setExit(1);
        return;
      }
      const dir = opts.reverse ? -1 : 1;
      items.sort((x, y) => dir * scheme.compareParsed(x.p, y.p)); // stable: equal versions keep input order
      const out = bufferedWriter(io.stdout);
      for (const it of items) await out.line(it.v);
      await out.flush();
    });

  return versions;
}

function usage(message: string): PatchloopError {
  return new PatchloopError('PL_USAGE', message);
}
