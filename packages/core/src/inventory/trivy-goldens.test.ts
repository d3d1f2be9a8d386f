/**
 * Cross-checks against trivy's package goldens (real container images whose
 * package databases are not among the fixtures): each golden is written out
 * in the shape our collector reads on such a host (`dpkg-query` with
 * DPKG_QUERY_FORMAT, `rpm -qa` with RPM_QUERY_FORMAT, apk's installed
 * database), parsed by our parser, and compared with the image's normalized
 * CSV, itself parsed by `parseInventoryCsv`.
 */
import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fixturePath, readFixture } from '@patchloop/test-support';
import { parseApkInstalled } from './apk-installed.js';
import { parseDpkgQuery } from './dpkg-query.js';
import type { InstalledPackage } from './model.js';
import { parseInventoryCsv } from './normalized-csv.js';
import { parseRpmQa } from './rpm-qa.js';

interface TrivyPackage {
  readonly Name: string;
  readonly Version: string;
  readonly Release?: string;
  readonly Epoch?: number;
  readonly Arch?: string;
  readonly SrcName?: string;
  readonly SrcVersion?: string;
  readonly SrcRelease?: string;
  readonly SrcEpoch?: number;
  readonly Maintainer?: string;
  readonly AnalyzedBy?: string;
}

const GOLDENS = readdirSync(fixturePath('inventories', 'trivy-fanal-goldens'))
  .filter((f) => f.endsWith('.json'))
  .map((f) => f.replace(/\.json$/, ''))
  .sort();

/** Golden package counts (SOURCES.md), and ours without rpm's gpg-pubkey keys. */
const COUNTS: Record<string, [number, number]> = {
  'alpine-310': [14, 14],
  'amazon-2': [104, 103],
  'centos-6': [129, 129],
  'debian-buster': [91, 91],
  'fedora-35': [139, 138],
  'opensuse-leap-151': [122, 119],
  'oraclelinux-8-slim': [99, 98],
  'photon-30': [33, 32],
  'ubi-7': [162, 162],
  'ubuntu-18.04': [89, 89],
};

const evr = (epoch: number | undefined, version: string, release: string | undefined): string =>
  `${epoch ? `${epoch}:` : ''}${version}${release ? `-${release}` : ''}`;

function asDpkgQuery(pkgs: readonly TrivyPackage[]): string {
  return pkgs
    .map((p) =>
      [
        p.Name,
        evr(p.Epoch, p.Version, p.Release),
        p.Arch ?? '',
        p.SrcName ?? '',
        p.SrcVersion === undefined ? '' : evr(p.SrcEpoch, p.SrcVersion, p.SrcRelease),
        'ii ',
        p.Maintainer ?? '',
      ].join('\t'),
    )
    .join('\n');
}

function asRpmQa(pkgs: readonly TrivyPackage[]): string {
  const none = (v: string | undefined): string =>
    v === undefined || v === '' || v === 'None' ? '(none)' : v;
  return pkgs
    .map((p) =>
      [
        p.Name,
        p.Epoch === undefined ? '(none)' : String(p.Epoch),
        p.Version,
        p.Release ?? '',
        none(p.Arch),
        p.SrcName ? `${p.SrcName}-${p.SrcVersion}-${p.SrcRelease}.src.rpm` : '(none)',
        '(none)',
      ].join('\t'),
    )
    .join('\n');
}

function asApkDb(pkgs: readonly TrivyPackage[]): string {
  return pkgs
    .map(
      (p) =>
        `P:${p.Name}\nV:${p.Version}\nA:${p.Arch}\n` +
        (p.SrcName === undefined ? '' : `o:${p.SrcName}\n`) +
        (p.Maintainer === undefined ? '' : `m:${p.Maintainer}\n`) +
        'F:usr\n',
    )
    .join('\n');
}

const tuple = (p: InstalledPackage): string[] => [
  p.name,
  p.version,
  p.arch ?? '',
  p.sourceName,
  p.sourceVersion,
];

describe('parsers against trivy goldens of real images', () => {
  it('covers all ten goldens', () => expect(GOLDENS).toEqual(Object.keys(COUNTS).sort()));

  for (const name of GOLDENS) {
    it(`${name}: our parse of the image's packages equals its normalized CSV`, () => {
      const golden = JSON.parse(
        readFixture('inventories', 'trivy-fanal-goldens', `${name}.json`),
      ) as TrivyPackage[];
      const [goldenCount, ourCount] = COUNTS[name] ?? [-1, -1];
      expect(golden).toHaveLength(goldenCount);
      const csv = parseInventoryCsv(readFixture('inventories', 'normalized', `${name}.csv`));
      let ours: InstalledPackage[];
      if (csv.manager === 'dpkg') ours = parseDpkgQuery(asDpkgQuery(golden));
      else if (csv.manager === 'rpm') ours = parseRpmQa(asRpmQa(golden));
      else ours = parseApkInstalled(asApkDb(golden));
      expect(ours).toHaveLength(ourCount);
      expect(ours.map(tuple)).toEqual(csv.packages.map(tuple));
      if (csv.manager !== 'rpm')
        expect(ours.map((p) => p.vendor)).toEqual(golden.map((p) => p.Maintainer ?? null));
    });
  }
});
