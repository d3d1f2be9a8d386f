import { spawnSync } from 'node:child_process';
import { PatchloopError } from '@patchloop/core';
import { describe, expect, it } from 'vitest';
import { shellQuote, shellQuoteArg } from './shell-quote.js';

/** What a real POSIX shell makes of `printf '%s\0' <quoted words>`: the words, split at NUL. */
function throughShell(args: string[]): string[] {
  const res = spawnSync('sh', ['-c', `printf '%s\\0' ${shellQuote(args)}`], { encoding: 'utf8' });
  expect(res.status).toBe(0);
  return res.stdout.split('\0').slice(0, -1);
}

const HOSTILE = [
  "it's",
  "'",
  "''",
  '"double" quotes',
  '$(touch /tmp/patchloop-pwned)',
  '`id`',
  '${HOME}',
  '$HOME',
  'a; rm -rf /',
  'a && b || c',
  'line one\nline two',
  'tab\there',
  '*',
  '~',
  '?',
  '!event',
  '\\backslash\\',
  '-n',
  '--',
  '',
  ' leading and trailing ',
  '<in >out 2>&1 |pipe',
  '#comment',
  'ünïcödé ✓',
  "'\\''",
];

describe('shellQuote', () => {
  it('gives a real shell back exactly the words, hostile or not', () => {
    expect(throughShell(HOSTILE)).toEqual(HOSTILE);
  });

  it('survives seeded random words over a hostile alphabet', () => {
    const alphabet = ` \t\n'"\`$(){}[];&|<>*?~!#\\/-=:.aZ9é`;
    let seed = 20240601;
    const next = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    const words = Array.from({ length: 200 }, () =>
      Array.from({ length: next(12) }, () => alphabet[next(alphabet.length)]).join(''),
    );
    expect(throughShell(words)).toEqual(words);
  });

  it('leaves plain words bare and quotes the rest', () => {
    expect(shellQuote(['rpm', '-qa', '--qf', '%{NAME}\\t'])).toBe("rpm -qa --qf '%{NAME}\\t'");
    expect(shellQuoteArg("it's")).toBe(`'it'\\''s'`);
    expect(shellQuoteArg('')).toBe("''");
  });

  it('refuses a NUL byte, which no argument can carry', () => {
    expect(() => shellQuoteArg('a\0b')).toThrow(PatchloopError);
  });
});
