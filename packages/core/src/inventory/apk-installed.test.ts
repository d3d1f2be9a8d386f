import { describe, expect, it } from 'vitest';
import { errorOf, installed, readCsv, readFixture } from '@patchloop/test-support';
import { parseApkInstalled } from './apk-installed.js';

const FIXTURES: [string, number][] = [
  ['alpine-3.16-syft-multiple-2.apkdb', 14],
  ['alpine-3.18-osv-scalibr-installed.apkdb', 15],
  ['alpine-3.21-apk-tools-query-installed.apkdb', 39],
];

describe('parseApkInstalled on real apk databases', () => {
  for (const [file, count] of FIXTURES) {
    it(`${file}: ${count} packages, each as in the normalized CSV`, () => {
      const pkgs = parseApkInstalled(readFixture('inventories', 'raw', file));
      expect(pkgs).toHaveLength(count);
      expect(pkgs.map((p) => [p.name, p.version, p.arch ?? '', p.sourceName, p.sourceVersion])).toEqual(
        readCsv('inventories', 'normalized', `${file}.csv`).map((r) => [
          r.name,
          r.version,
          r.arch,
          r.source_name,
          r.source_version,
        ]),
      );
      for (const p of pkgs) expect(p.vendor).toMatch(/<.+@.+>/);
    });
  }

  it('takes the origin as the source package', () => {
    const pkgs = parseApkInstalled(
      readFixture('inventories', 'raw', 'alpine-3.18-osv-scalibr-installed.apkdb'),
    );
    expect(pkgs.find((p) => p.name === 'alpine-baselayout-data')?.sourceName).toBe('alpine-baselayout');
  });
});

describe('parseApkInstalled', () => {
  it('reads stanzas: CRLF, several blank lines, no origin, no arch, keys it does not know', () => {
    const text =
      'C:Q1abc=\r\nP:musl\r\nV:1.2.4-r0\r\nA:x86_64\r\no:musl\r\nm:Someone <s@example.org>\r\nF:lib\r\nR:ld.so\r\n\r\n\r\n' +
      'P:local-tool\nV:0.1-r0\nX:future key\n';
    expect(parseApkInstalled(text)).toEqual([
      installed('musl', '1.2.4-r0', 'x86_64', { vendor: 'Someone <s@example.org>' }),
      installed('local-tool', '0.1-r0', null),
    ]);
  });

  const cases: [string, string, RegExp][] = [
    [
      'a stanza without P:',
      'P:a\nV:1-r0\n\nV:2-r0\nA:x86_64\n',
      /line 4: stanza has no P: \(package name\) line/,
    ],
    ['a stanza without V:', 'P:a\nA:x86_64\n', /line 1: stanza has no V: \(version\) line/],
    [
      'two packages run together',
      'P:a\nV:1-r0\nP:b\nV:2-r0\n',
      /line 3: "P:" repeated in the stanza starting at line 1/,
    ],
    ['a line that is not K:value', 'P:a\nV:1-r0\nnot a field\n', /line 3: expected "K:value"/],
    ['an empty version', 'P:a\nV:\n', /line 2: version is empty/],
  ];
  for (const [what, text, message] of cases) {
    it(`rejects ${what}, naming the line`, () => {
      const e = errorOf(() => parseApkInstalled(text));
      expect(e.code).toBe('PL_INVENTORY_INVALID');
      expect(e.message).toMatch(/^apk installed database: /);
      expect(e.message).toMatch(message);
    });
  }

  it('is PL_INVENTORY_EMPTY for an empty database', () => {
    expect(errorOf(() => parseApkInstalled('')).code).toBe('PL_INVENTORY_EMPTY');
    expect(errorOf(() => parseApkInstalled('\n\n')).code).toBe('PL_INVENTORY_EMPTY');
  });
});
