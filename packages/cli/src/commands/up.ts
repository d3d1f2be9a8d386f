/**
 * `patchloop up`: start Patchloop on its embedded default. Until the server
 * milestone lands, `up` runs what this build can run with no service: it
 * describes this machine and, when the embedded store has advisories, scans
 * it; otherwise it says how to fill the store.
 */
import { existsSync, readFileSync } from 'node:fs';
import { release } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { isPatchloopError, parseOsRelease } from '@patchloop/core';
import type { CliConfig } from '../config.js';
import { formatScanReport } from '../scan-output/index.js';
import { runScan } from '../scan/run.js';
import type { Io } from './versions.js';

/** Counts packages marked installed in a dpkg status database. */
function countDpkgInstalled(statusFile: string): number {
  return [...readFileSync(statusFile, 'utf8').matchAll(/^Status: install ok installed$/gm)].length;
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

export function upCommand(io: Io, config: CliConfig, version: string): Command {
  return new Command('up')
    .description('start Patchloop on its embedded default (no external services)')
    .option('--root <dir>', 'filesystem root of the machine to describe and scan', '/')
    .option('--data-dir <dir>', 'embedded store directory (default: PATCHLOOP_DATA_DIR or ./patchloop-data)')
    .action(async (opts: { root: string; dataDir?: string }) => {
      const w = (lines: string[]) => io.stdout.write(`${lines.join('\n')}\n`);
      w([
        `Patchloop ${version}`,
        `This machine: ${describeMachine(opts.root)}`,
        '',
        'Not in this build yet: the server, agents and the console; they arrive milestone by milestone',
        '(see docs/ARCHITECTURE.md). What runs now: feeds into the embedded store, and scans.',
        '',
      ]);
      try {
        const report = await runScan(config, { root: opts.root, dataDir: opts.dataDir });
        w(['Scan of this machine against the advisories in the store:', '']);
        io.stdout.write(formatScanReport(report, 'table', { toolVersion: version }));
      } catch (e) {
        if (!isPatchloopError(e)) throw e;
        w([
          `No scan of this machine: ${e.message}`,
          '',
          'Fill the store, then scan:',
          '  npx patchloop feeds sync                   # from the publishers (needs internet)',
          '  npx patchloop feeds sync --mirror DIR      # or from a mirror directory',
          '  npx patchloop feeds import debian-dsa ../shared/fixtures/debian-security-tracker/DSA-list.txt',
          '  npx patchloop scan',
        ]);
      }
    });
}
