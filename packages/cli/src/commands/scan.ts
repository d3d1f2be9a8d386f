/**
 * `patchloop scan`: assess one host offline, like a CI tool, against the
 * advisories in the store (read-only: no migrations, only the advisories
 * that name the host's packages are loaded).
 */
import { Command, Option } from 'commander';
import type { Classification, ScanReport, Severity } from '@patchloop/core';
import type { StoreConfig } from '../store-config.js';
import { formatScanReport, SCAN_FORMATS, type ScanFormat } from '../scan-output/index.js';
import { runScan, type ImportStore } from '../scan/run.js';
import type { Io } from './versions.js';

/** `--fail-on` exits 4 when a finding is at or above this level. */
export const FAIL_ON_EXIT = 4;
const LEVELS: readonly Severity[] = ['low', 'medium', 'high', 'critical'];

export function failsOn(report: ScanReport, level: string): boolean {
  if (level === 'kev') return report.findings.some((f) => f.kev !== null);
  const min = LEVELS.indexOf(level as Severity);
  // A finding whose severity nobody published counts as low: `--fail-on low` catches everything.
  return report.findings.some(
    (f) => LEVELS.indexOf(f.severity === null || f.severity === 'none' ? 'low' : f.severity) >= min,
  );
}

interface ScanOptions {
  dataDir?: string;
  dpkgStatus?: string;
  rpmQa?: string;
  rpmManifest?: string;
  apkInstalled?: string;
  inventory?: string;
  root?: string;
  os?: string;
  format: ScanFormat;
  failOn?: string;
  only?: Classification;
}

export function scanCommand(
  io: Io,
  config: StoreConfig,
  setExit: (code: number) => void,
  version: string,
  importStore?: ImportStore,
): Command {
  return new Command('scan')
    .description('assess one host offline against the advisories in the store (this machine by default)')
    .addOption(new Option('--dpkg-status <file>', 'a dpkg status database (/var/lib/dpkg/status)'))
    .addOption(
      new Option('--rpm-qa <file>', "output of rpm -qa (NEVRA lines) or of patchloop's rpm query format"),
    )
    .addOption(new Option('--rpm-manifest <file>', 'a container image rpm manifest (JSON)'))
    .addOption(new Option('--apk-installed <file>', 'an apk database (/lib/apk/db/installed)'))
    .addOption(new Option('--inventory <file>', 'a normalized CSV or Patchloop JSON inventory'))
    .addOption(new Option('--root <dir>', 'read the package database and os-release under DIR (default /)'))
    .addOption(
      new Option(
        '--os <id:version>',
        'the OS release, e.g. debian:10, ubuntu:22.04, almalinux:9, alpine:3.11',
      ),
    )
    .addOption(new Option('--format <format>', 'output format').choices([...SCAN_FORMATS]).default('table'))
    .addOption(
      new Option(
        '--fail-on <level>',
        `exit ${FAIL_ON_EXIT} when a finding is at or above this level`,
      ).choices([...LEVELS, 'kev']),
    )
    .addOption(
      new Option('--only <classification>', 'only advisories of this classification').choices([
        'security',
        'bugfix',
        'enhancement',
      ]),
    )
    .addOption(
      new Option(
        '--data-dir <dir>',
        'embedded store directory (default: PATCHLOOP_DATA_DIR or ./patchloop-data)',
      ),
    )
    .action(async (opts: ScanOptions) => {
      const report = await runScan(config, opts, new Date(), importStore);
      const tty = (io.stdout as { isTTY?: boolean }).isTTY === true;
      io.stdout.write(
        formatScanReport(report, opts.format, { color: tty && !process.env.NO_COLOR, toolVersion: version }),
      );
      if (opts.failOn !== undefined && failsOn(report, opts.failOn)) setExit(FAIL_ON_EXIT);
    });
}
