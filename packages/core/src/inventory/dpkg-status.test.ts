import { describe, expect, it } from 'vitest';
import { errorOf, installed, readCsv, readFixture } from '@patchloop/test-support';
import { parseDpkgStatus } from './dpkg-status.js';
import type { InstalledPackage } from './model.js';

/** name, version, arch, source name, source version: what the normalized CSVs hold. */
function tuple(p: InstalledPackage): string {
  return [p.name, p.version, p.arch ?? '', p.sourceName, p.sourceVersion].join(',');
}

function expected(file: string): string[] {
  return readCsv('inventories', 'normalized', `${file}.csv`).map((r) =>
    [r.name, r.version, r.arch, r.source_name, r.source_version].join(','),
  );
}

const FIXTURES = [
  { file: 'debian12-bookworm-host.dpkg-status', stanzas: 846, installed: 846 },
  { file: 'ubuntu-18.04-trivy-dpkg-status', stanzas: 91, installed: 90 },
  { file: 'ubuntu-18.04-claircore-texlive.dpkg-status', stanzas: 357, installed: 357 },
];

describe('parseDpkgStatus on real status files', () => {
  for (const { file, stanzas, installed } of FIXTURES) {
    it(`${file}: ${installed} installed of ${stanzas} stanzas, each as in the normalized CSV`, () => {
      const text = readFixture('inventories', 'raw', file);
      expect(text.match(/^Package:/gm)).toHaveLength(stanzas);
      const pkgs = parseDpkgStatus(text);
      expect(pkgs).toHaveLength(installed);
      expect(pkgs.map(tuple)).toEqual(expected(file));
    });
  }

  it('takes the vendor from Maintainer and keeps binNMU source versions apart', () => {
    const pkgs = parseDpkgStatus(readFixture('inventories', 'raw', 'debian12-bookworm-host.dpkg-status'));
    const bash = pkgs.find((p) => p.name === 'bash');
    expect(bash?.vendor).toMatch(/<.+@.+>/);
    expect(pkgs.every((p) => p.vendor !== null)).toBe(true);
    const binNmu = pkgs.filter((p) => /\+b\d+$/.test(p.version));
    expect(binNmu.length).toBeGreaterThan(0);
    for (const p of binNmu) expect(p.sourceVersion).not.toBe(p.version);
  });

  it('leaves out the one config-files stanza of the trivy file', () => {
    const text = readFixture('inventories', 'raw', 'ubuntu-18.04-trivy-dpkg-status');
    const removed = /Package: (\S+)\nStatus: deinstall ok config-files/.exec(text)?.[1];
    expect(removed).toBeDefined();
    expect(parseDpkgStatus(text).some((p) => p.name === removed)).toBe(false);
  });
});

const stanza = (fields: string): string => `${fields.trim()}\n`;

describe('parseDpkgStatus states and fields', () => {
  const doc = [
    stanza('Package: a\nStatus: install ok installed\nVersion: 1.0-1\nArchitecture: amd64'),
    stanza('Package: held\nStatus: hold ok installed\nVersion: 2.0-1\nArchitecture: all'),
    stanza('Package: leaving\nStatus: deinstall ok installed\nVersion: 3.0-1'),
    stanza('Package: gone\nStatus: deinstall ok config-files\nVersion: 4.0-1'),
    stanza('Package: purged\nStatus: purge ok not-installed'),
    stanza('Package: failed\nStatus: install reinstreq half-installed\nVersion: 5.0-1'),
    stanza('Package: unconfigured\nStatus: install ok unpacked\nVersion: 6.0-1'),
    stanza('Package: triggered\nStatus: install ok triggers-pending\nVersion: 7.0-1'),
  ].join('\n');

  it('counts the packages whose files are on disk, whatever the want flag', () => {
    expect(parseDpkgStatus(doc).map((p) => p.name)).toEqual([
      'a',
      'held',
      'leaving',
      'unconfigured',
      'triggered',
    ]);
  });

  it('reads Source with and without a version (binNMU)', () => {
    const [nmu, plain, none] = parseDpkgStatus(
      'Package: libx1\nStatus: install ok installed\nSource: libx (1.0-1)\nVersion: 1.0-1+b1\n\n' +
        'Package: x-utils\nStatus: install ok installed\nSource: x\nVersion: 1:2.0-3\n\n' +
        'Package: y\nStatus: install ok installed\nVersion: 0.5\n',
    );
    expect(nmu).toMatchObject({
      name: 'libx1',
      version: '1.0-1+b1',
      sourceName: 'libx',
      sourceVersion: '1.0-1',
    });
    expect(plain).toMatchObject({ sourceName: 'x', sourceVersion: '1:2.0-3' });
    expect(none).toMatchObject({ sourceName: 'y', sourceVersion: '0.5', arch: null, vendor: null });
  });

  it('handles continuation lines, several blank lines, CRLF, comments and any field-name case', () => {
    const text =
      '\r\n\r\n# a comment\r\npackage: a\r\nSTATUS: install ok installed\r\nDescription: one\r\n two\r\n .\r\n' +
      ' Package: not-a-field\r\nversion: 1.0\r\nMaintainer: Me <me@example.org>\r\n\r\n\r\n \t\r\n' +
      'Package: b\r\nStatus: install ok installed\r\nVersion: 2.0\r\n';
    expect(parseDpkgStatus(text)).toEqual([
      installed('a', '1.0', null, { vendor: 'Me <me@example.org>' }),
      installed('b', '2.0', null),
    ]);
  });

  it('counts a stanza without Status as installed (distroless status.d)', () => {
    expect(parseDpkgStatus('Package: base-files\nVersion: 12.4\nArchitecture: amd64\n')).toHaveLength(1);
  });
});

describe('parseDpkgStatus errors', () => {
  const cases: [string, string, RegExp][] = [
    [
      'a stanza without Package',
      'Package: a\nVersion: 1\n\nStatus: install ok installed\nVersion: 2\n',
      /line 4: stanza has no Package field/,
    ],
    [
      'an installed stanza without Version',
      'Package: a\nStatus: install ok installed\n',
      /line 1: package "a" has no Version field/,
    ],
    [
      'an empty Version',
      'Package: a\nStatus: install ok installed\nVersion:   \n',
      /line 3: Version is empty/,
    ],
    ['a line that is not a field', 'Package: a\nVersion 1.0\n', /line 2: expected "Field: value"/],
    ['a continuation before any field', ' orphan\nPackage: a\n', /line 1: continuation line outside a field/],
    ['a repeated field', 'Package: a\nVersion: 1\nVersion: 2\n', /line 3: field Version repeated/],
    [
      'a malformed Status',
      'Package: a\nStatus: installed\nVersion: 1\n',
      /line 2: Status "installed" is not "want flag status"/,
    ],
    [
      'an unknown state',
      'Package: a\nStatus: install ok broken\nVersion: 1\n',
      /line 2: .*unknown state "broken"/,
    ],
    ['a malformed Source', 'Package: a\nSource: b (1.0\nVersion: 1\n', /line 2: Source "b \(1.0" is not/],
  ];
  for (const [what, text, message] of cases) {
    it(`rejects ${what}, naming the line`, () => {
      const e = errorOf(() => parseDpkgStatus(text));
      expect(e.code).toBe('PL_INVENTORY_INVALID');
      expect(e.message).toMatch(/^dpkg status: /);
      expect(e.message).toMatch(message);
    });
  }

  it('is PL_INVENTORY_EMPTY for an empty file or one with nothing installed', () => {
    expect(errorOf(() => parseDpkgStatus('')).code).toBe('PL_INVENTORY_EMPTY');
    expect(errorOf(() => parseDpkgStatus('\n\n  \n')).code).toBe('PL_INVENTORY_EMPTY');
    const removed = 'Package: gone\nStatus: deinstall ok config-files\nVersion: 1\n';
    expect(errorOf(() => parseDpkgStatus(removed)).message).toMatch(
      /dpkg status: no installed package found/,
    );
  });
});
