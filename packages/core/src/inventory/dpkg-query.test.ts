import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { errorOf, installed } from '@patchloop/test-support';
import { DPKG_QUERY_FORMAT, parseDpkgQuery } from './dpkg-query.js';
import { parseDpkgStatus } from './dpkg-status.js';
import type { InstalledPackage } from './model.js';

const STATUS_FILE = '/var/lib/dpkg/status';

function dpkgAvailable(): boolean {
  try {
    execFileSync('dpkg-query', ['--version'], { stdio: 'ignore' });
    return existsSync(STATUS_FILE);
  } catch {
    return false;
  }
}

function dpkgQuery(format?: string): string {
  const args = format === undefined ? ['-W'] : ['-W', `-f=${format}`];
  return execFileSync('dpkg-query', args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
}

const key = (p: InstalledPackage): string => `${p.name}:${p.arch ?? ''}`;
const byKey = (a: InstalledPackage, b: InstalledPackage): number =>
  key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0;

describe.skipIf(!dpkgAvailable())('parseDpkgQuery against the real dpkg-query of this machine', () => {
  const fromStatus = parseDpkgStatus(readFileSync(STATUS_FILE, 'utf8')).sort(byKey);

  it('DPKG_QUERY_FORMAT output gives exactly what the status file gives', () => {
    const out = dpkgQuery(DPKG_QUERY_FORMAT);
    expect(out.split('\n')[0]?.split('\t')).toHaveLength(7);
    const fromQuery = parseDpkgQuery(out).sort(byKey);
    expect(fromQuery.length).toBeGreaterThan(100);
    expect(fromQuery).toEqual(fromStatus);
  });

  it('the six-field form without the maintainer gives the same but no vendor', () => {
    const six = DPKG_QUERY_FORMAT.replace('\\t${Maintainer}', '');
    expect(six).toBe(
      '${Package}\\t${Version}\\t${Architecture}\\t${source:Package}\\t${source:Version}\\t${db:Status-Abbrev}\\n',
    );
    const fromQuery = parseDpkgQuery(dpkgQuery(six)).sort(byKey);
    expect(fromQuery).toEqual(fromStatus.map((p) => ({ ...p, vendor: null })));
  });

  it('plain dpkg-query -W gives the same names and versions, arch only where qualified', () => {
    const fromQuery = parseDpkgQuery(dpkgQuery());
    const versions = new Map(fromStatus.map((p) => [key(p), p.version]));
    const archOf = new Map(fromStatus.map((p) => [p.name, p.arch]));
    expect(fromQuery).toHaveLength(fromStatus.length);
    for (const p of fromQuery) {
      expect(p.sourceName).toBe(p.name);
      expect(p.vendor).toBeNull();
      if (p.arch !== null) expect(versions.get(key(p))).toBe(p.version);
      else expect(versions.get(`${p.name}:${archOf.get(p.name) ?? ''}`)).toBe(p.version);
    }
  });
});

describe('parseDpkgQuery', () => {
  it('reads formatted lines: states, empty source fields, CRLF, a trimmed status', () => {
    const text = [
      'libx1\t1.0-1+b1\tamd64\tlibx\t1.0-1\tii \tX Team <x@example.org>',
      'held\t2.0\tall\theld\t2.0\thi \t',
      'gone\t3.0\tamd64\tgone\t3.0\trc \tY <y@example.org>',
      'half\t4.0\tamd64\thalf\t4.0\tiU \t',
      'other\t5.0\tarm64\t\t\tii \t',
    ].join('\r\n');
    expect(parseDpkgQuery(text)).toEqual([
      installed('libx1', '1.0-1+b1', 'amd64', {
        sourceName: 'libx',
        sourceVersion: '1.0-1',
        vendor: 'X Team <x@example.org>',
      }),
      installed('held', '2.0', 'all'),
      installed('half', '4.0', 'amd64'),
      installed('other', '5.0', 'arm64'),
    ]);
    expect(parseDpkgQuery('a\t1\tamd64\ta\t1\tii')).toHaveLength(1);
  });

  it('reads plain lines, splitting a :arch qualifier and skipping versionless packages', () => {
    expect(parseDpkgQuery('bash\t5.2.15-2+b2\nlibc6:amd64\t2.36-9\nnever-installed\t\n')).toEqual([
      installed('bash', '5.2.15-2+b2', null),
      installed('libc6', '2.36-9', 'amd64'),
    ]);
  });

  const cases: [string, string, RegExp][] = [
    [
      'a line with an unknown field count',
      'a\t1\tamd64\n',
      /line 1: expected 7 tab-separated fields .* found 3/,
    ],
    ['a line unlike the first', 'a\t1\nb\t2\tamd64\n', /line 2: expected 2 tab-separated fields like line 1/],
    [
      'a bad status',
      'a\t1\tamd64\ta\t1\tinstalled\t\n',
      /line 1: status "installed" is not a dpkg status abbreviation/,
    ],
    [
      'an installed line without a version',
      'x\t1\tamd64\tx\t1\tii \t\na\t\tamd64\ta\t\tii \t\n',
      /line 2: version is empty/,
    ],
    ['a name with a space', 'a b\t1\n', /line 1: package name "a b" contains whitespace/],
  ];
  for (const [what, text, message] of cases) {
    it(`rejects ${what}, naming the line`, () => {
      const e = errorOf(() => parseDpkgQuery(text));
      expect(e.code).toBe('PL_INVENTORY_INVALID');
      expect(e.message).toMatch(message);
    });
  }

  it('is PL_INVENTORY_EMPTY with no installed package', () => {
    expect(errorOf(() => parseDpkgQuery('')).code).toBe('PL_INVENTORY_EMPTY');
    expect(errorOf(() => parseDpkgQuery('gone\t1\tamd64\tgone\t1\trc \t\n')).code).toBe('PL_INVENTORY_EMPTY');
  });
});
