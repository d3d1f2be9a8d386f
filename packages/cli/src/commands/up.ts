/**
 * `patchloop up`: start Patchloop on its embedded default. The server and
 * its embedded store arrive with the server milestone; until then `up`
 * reports what this build can do and what it sees of the local machine, so
 * that `npm start` tells a newcomer the truth.
 */
import { existsSync, readFileSync } from 'node:fs';
import { release } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { parseOsRelease, SCHEME_NAMES } from '@patchloop/core';
import type { Io } from './versions.js';

/** Counts packages marked installed in a dpkg status database. */
function countDpkgInstalled(statusFile: string): number {
  const text = readFileSync(statusFile, 'utf8');
  let n = 0;
  for (const m of text.matchAll(/^Status: install ok installed$/gm)) if (m) n++;
  return n;
}

export function describeMachine(root: string): string {
  const osFile = [join(root, 'etc/os-release'), join(root, 'usr/lib/os-release')].find((f) => existsSync(f));
  const os = osFile ? parseOsRelease(readFileSync(osFile, 'utf8')) : undefined;
  const parts = [`${os?.prettyName ?? 'unknown OS (no os-release)'}`, `kernel ${release()}`];
  const dpkgStatus = join(root, 'var/lib/dpkg/status');
  if (existsSync(dpkgStatus)) parts.push(`dpkg with ${countDpkgInstalled(dpkgStatus)} packages installed`);
  else if (existsSync(join(root, 'var/lib/rpm'))) parts.push('rpm');
  else if (existsSync(join(root, 'lib/apk/db/installed'))) parts.push('apk');
  return parts.join(', ');
}

export function upCommand(io: Io, version: string): Command {
  return new Command('up')
    .description('start Patchloop on its embedded default (no external services)')
    .option('--root <dir>', 'filesystem root of the machine to describe', '/')
    .action((opts: { root: string }) => {
      io.stdout.write(
        [
          `Patchloop ${version}`,
          `This machine: ${describeMachine(opts.root)}`,
          '',
          `Ready in this build: exact version semantics (${SCHEME_NAMES.join(', ')}), vulnerability feeds`,
          '(patchloop feeds import|sync|status) into the embedded store, and the patchloop CLI.',
          'Not in this build yet: the server, agents and scanning; they arrive milestone by milestone',
          '(see docs/ARCHITECTURE.md).',
          '',
          'Try:',
          '  npx patchloop versions compare --ecosystem debian 1.1.1n-0+deb11u4 1.1.1n-0+deb11u5',
          "  printf '1.0-1\\n1:0.9\\n1.0~rc1-1\\n' | npx patchloop versions sort --ecosystem debian",
          '  npx patchloop feeds sync --source kev && npx patchloop feeds status',
          '',
        ].join('\n'),
      );
    });
}
