import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { errorOf, fixturePath, installed, readCsv, readFixture } from '@patchloop/test-support';
import type { InstalledPackage } from './model.js';
import { parseRpmQa, parseSourceRpm, RPM_QUERY_FORMAT } from './rpm-qa.js';

const LISTS = readdirSync(fixturePath('inventories', 'normalized'))
  .filter((f) => f.endsWith('.rpm-qa.txt'))
  .sort();

/** Package counts of the NEVRA lists, without gpg-pubkey entries. */
const COUNTS: Record<string, number> = {
  'amazon-2': 103,
  'centos-6': 129,
  'fedora-35': 138,
  'opensuse-leap-151': 119,
  'oraclelinux-8-slim': 98,
  'photon-30': 32,
  'rhel-claircore-bdb.rpm-manifest.json': 174,
  'rhel-claircore-httpd-24_9.5-1734525854.rpm-manifest.json': 243,
  'rhel-claircore-nodejs.rpm-manifest.json': 301,
  'ubi-7': 162,
};

describe('parseRpmQa on the NEVRA lists of the fixtures', () => {
  it('covers every list', () => {
    expect(LISTS.map((f) => f.replace(/\.rpm-qa\.txt$/, ''))).toEqual(Object.keys(COUNTS).sort());
  });

  const stripEpoch = (v: string): string => v.replace(/^\d+:/, '');
  for (const file of LISTS) {
    const base = file.replace(/\.rpm-qa\.txt$/, '');
    // The lists derived from trivy's goldens are in rpm's default format, which
    // drops the epoch; the RHEL ones keep it. Each package must print back as
    // its line, and match the normalized CSV up to the epoch the line lacks.
    it(`${base}: every package as its line, and as in the normalized CSV`, () => {
      const lines = readFixture('inventories', 'normalized', file)
        .split('\n')
        .filter((l) => l !== '' && !l.startsWith('gpg-pubkey-'));
      const pkgs = parseRpmQa(readFixture('inventories', 'normalized', file));
      expect(pkgs).toHaveLength(COUNTS[base] ?? -1);
      expect(pkgs.map((p) => `${p.name}-${p.version}${p.arch === null ? '' : `.${p.arch}`}`)).toEqual(lines);
      const rows = readCsv('inventories', 'normalized', `${base}.csv`).filter((r) => r.name !== 'gpg-pubkey');
      expect(pkgs.map((p) => [p.name, stripEpoch(p.version), p.arch ?? ''])).toEqual(
        rows.map((r) => [r.name, stripEpoch(r.version ?? ''), r.arch]),
      );
      for (const p of pkgs)
        expect([p.sourceName, p.sourceVersion, p.vendor]).toEqual([p.name, p.version, null]);
    });
  }
});

describe('parseRpmQa', () => {
  it('reads RPM_QUERY_FORMAT lines: epochs, (none), source rpms, vendors', () => {
    expect(RPM_QUERY_FORMAT).toBe(
      '%{NAME}\\t%{EPOCH}\\t%{VERSION}\\t%{RELEASE}\\t%{ARCH}\\t%{SOURCERPM}\\t%{VENDOR}\\n',
    );
    const text = [
      'openssl-libs\t1\t3.0.7\t27.el9\tx86_64\topenssl-3.0.7-27.el9.src.rpm\tRed Hat, Inc.',
      'bash\t(none)\t5.1.8\t9.el9\tx86_64\tbash-5.1.8-9.el9.src.rpm\t(none)',
      'tzdata\t0\t2024a\t1.el9\tnoarch\ttzdata-2024a-1.el9.src.rpm\tAlmaLinux',
      'gpg-pubkey\t(none)\tfd431d51\t4ae0493b\t(none)\t(none)\t(none)',
      'weird\t(none)\t1\t1\t(none)\t(none)\t(none)',
    ].join('\n');
    expect(parseRpmQa(text)).toEqual([
      installed('openssl-libs', '1:3.0.7-27.el9', 'x86_64', {
        sourceName: 'openssl',
        vendor: 'Red Hat, Inc.',
      }),
      installed('bash', '5.1.8-9.el9', 'x86_64'),
      installed('tzdata', '2024a-1.el9', 'noarch', { vendor: 'AlmaLinux' }),
      installed('weird', '1-1', null),
    ]);
  });

  it('reads NEVRA lines with and without epoch, CRLF, and skips gpg-pubkey', () => {
    expect(
      parseRpmQa(
        'dbus-1:1.12.20-8.el9.x86_64\r\ngpg-pubkey-fd431d51-4ae0493b\r\n\r\nzlib-1.2.11-40.el9.x86_64\r\n',
      ),
    ).toEqual([
      installed('dbus', '1:1.12.20-8.el9', 'x86_64'),
      {
        name: 'zlib',
        version: '1.2.11-40.el9',
        arch: 'x86_64',
        sourceName: 'zlib',
        sourceVersion: '1.2.11-40.el9',
        vendor: null,
        // rpm -qa's default format prints no epoch: this line cannot say zlib has none.
        epochKnown: false,
      },
    ]);
  });

  it('splits source rpm file names', () => {
    expect(parseSourceRpm('openssl-3.0.7-27.el9.src.rpm')).toEqual({
      name: 'openssl',
      version: '3.0.7',
      release: '27.el9',
    });
    expect(parseSourceRpm('perl-Time-Local-1.300-7.el9.nosrc.rpm')).toEqual({
      name: 'perl-Time-Local',
      version: '1.300',
      release: '7.el9',
    });
    expect(parseSourceRpm('openssl-3.0.7.src.rpm')).toMatch(/is not name-version-release/);
    expect(parseSourceRpm('openssl-3.0.7-27.el9.tar.gz')).toMatch(/is not name-version-release/);
  });

  const cases: [string, string, RegExp][] = [
    [
      'a NEVRA without release',
      'bash-5.1.8-9.el9.x86_64\nbash.x86_64\n',
      /line 2: invalid RPM package "bash.x86_64"/,
    ],
    [
      'a NEVRA without a name',
      'bash-5.1.8-9.el9.x86_64\n5.1.8-9.el9.x86_64\n',
      /line 2: "5.1.8-9.el9.x86_64" has no package name/,
    ],
    [
      'a query line with a missing field',
      'bash\t(none)\t5.1.8\t9.el9\tx86_64\tbash-5.1.8-9.el9.src.rpm\n',
      /line 1: expected 7 tab-separated fields \(RPM_QUERY_FORMAT\), found 6/,
    ],
    [
      'a bad epoch',
      'bash\tone\t5.1.8\t9.el9\tx86_64\t(none)\t(none)\n',
      /line 1: epoch "one" is not a number/,
    ],
    [
      'a version with a dash',
      'bash\t(none)\t5.1-8\t9.el9\tx86_64\t(none)\t(none)\n',
      /line 1: version "5.1-8" is not valid/,
    ],
    [
      'a bad source rpm',
      'bash\t(none)\t5.1.8\t9.el9\tx86_64\tbash.src.rpm\t(none)\n',
      /line 1: SOURCERPM "bash.src.rpm"/,
    ],
    ['an empty name', '\t(none)\t5.1.8\t9.el9\tx86_64\t(none)\t(none)\n', /line 1: name is empty/],
  ];
  for (const [what, text, message] of cases) {
    it(`rejects ${what}, naming the line`, () => {
      const e = errorOf(() => parseRpmQa(text));
      expect(e.code).toBe('PL_INVENTORY_INVALID');
      expect(e.message).toMatch(/^rpm package list: /);
      expect(e.message).toMatch(message);
    });
  }

  it('is PL_INVENTORY_EMPTY for nothing, or only signing keys', () => {
    expect(errorOf(() => parseRpmQa('')).code).toBe('PL_INVENTORY_EMPTY');
    expect(errorOf(() => parseRpmQa('gpg-pubkey-fd431d51-4ae0493b\n')).code).toBe('PL_INVENTORY_EMPTY');
  });
});

function rpmbuildAvailable(): boolean {
  try {
    execFileSync('rpmbuild', ['--version'], { stdio: 'ignore' });
    execFileSync('rpm', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/**
 * Builds three tiny noarch packages with the real rpmbuild, registers them in
 * a throwaway rpm database (--justdb) and reads it back with the real rpm:
 * an epoch and a vendor, a subpackage with its own Epoch 0 and Version, and a
 * package with neither epoch nor vendor (rpm prints "(none)").
 */
describe.skipIf(!rpmbuildAvailable())('parseRpmQa against the real rpm of this machine', () => {
  const specs = {
    'pl-demo.spec':
      'Name: pl-demo\nEpoch: 2\nVersion: 1.0\nRelease: 3.el9\nSummary: d\nLicense: MIT\nBuildArch: noarch\n' +
      'Vendor: Patchloop Test\n%description\nd\n%package libs\nSummary: l\nEpoch: 0\nVersion: 0.5\n' +
      '%description libs\nl\n%files\n%files libs\n',
    'pl-plain.spec':
      'Name: pl-plain\nVersion: 4.2\nRelease: 1\nSummary: p\nLicense: MIT\nBuildArch: noarch\n%description\np\n%files\n',
  };

  it('reads rpm -qa --qf RPM_QUERY_FORMAT and plain rpm -qa', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pl-rpm-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    const rpmDb = join(dir, 'db');
    const rpm = (...args: string[]): string =>
      execFileSync('rpm', ['--dbpath', rpmDb, ...args], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      });

    for (const [file, spec] of Object.entries(specs)) {
      writeFileSync(join(dir, file), spec);
      execFileSync(
        'rpmbuild',
        ['-bb', '--quiet', '--define', `_topdir ${join(dir, 'top')}`, join(dir, file)],
        {
          stdio: 'ignore',
        },
      );
    }
    mkdirSync(rpmDb);
    rpm('--initdb');
    const built = join(dir, 'top', 'RPMS', 'noarch');
    const files = readdirSync(built).map((f) => join(built, f));
    rpm('-i', '--justdb', '--nodeps', '--ignoreos', '--ignorearch', ...files);

    const sort = (ps: InstalledPackage[]): InstalledPackage[] =>
      [...ps].sort((a, b) => (a.name < b.name ? -1 : 1));
    expect(sort(parseRpmQa(rpm('-qa', '--qf', RPM_QUERY_FORMAT)))).toEqual([
      installed('pl-demo', '2:1.0-3.el9', 'noarch', { vendor: 'Patchloop Test' }),
      {
        // Epoch 0 is printed as "0" and left out; the SRPM's own epoch (2) is not
        // in its file name, so the source version takes the binary's (none).
        name: 'pl-demo-libs',
        version: '0.5-3.el9',
        arch: 'noarch',
        sourceName: 'pl-demo',
        sourceVersion: '1.0-3.el9',
        vendor: 'Patchloop Test',
      },
      installed('pl-plain', '4.2-1', 'noarch'),
    ]);
    // rpm's default format is %{nvr}%{archsuffix}: the epoch is lost.
    expect(sort(parseRpmQa(rpm('-qa'))).map((p) => p.version)).toEqual(['1.0-3.el9', '0.5-3.el9', '4.2-1']);
  });
});
