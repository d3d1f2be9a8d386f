import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { errorOf, fixturePath, readCsv, readFixture } from '@patchloop/test-support';
import { parseInventoryCsv, readCsvRecords } from './normalized-csv.js';

const FILES = readdirSync(fixturePath('inventories', 'normalized'))
  .filter((f) => f.endsWith('.csv'))
  .sort();
const MANAGER: Record<string, string> = { deb: 'dpkg', rpm: 'rpm', alpine: 'apk' };
const HEADER = 'ecosystem,name,version,arch,source_name,source_version';

describe('parseInventoryCsv on the normalized fixtures', () => {
  it('finds all 19', () => expect(FILES).toHaveLength(19));

  for (const file of FILES) {
    it(`${file}: every row but rpm's gpg-pubkey keys`, () => {
      const rows = readCsv('inventories', 'normalized', file);
      const inv = parseInventoryCsv(readFixture('inventories', 'normalized', file));
      expect(inv.manager).toBe(MANAGER[rows[0]?.ecosystem ?? '']);
      expect(inv.os).toBeNull();
      expect(inv.kernel).toBeNull();
      const kept = rows.filter((r) => r.name !== 'gpg-pubkey');
      expect(
        inv.packages.map((p) => [p.name, p.version, p.arch ?? '', p.sourceName, p.sourceVersion]),
      ).toEqual(kept.map((r) => [r.name, r.version, r.arch, r.source_name, r.source_version]));
      expect(inv.packages.every((p) => p.vendor === null)).toBe(true);
    });
  }
});

describe('readCsvRecords (RFC 4180)', () => {
  it('reads quoted fields with commas, doubled quotes and line breaks, CRLF, a BOM, blank lines', () => {
    const text = '\ufeffa,"b,c","say ""hi"""\r\n\r\n"multi\nline",,""\n"",x,\n';
    expect(readCsvRecords(text)).toEqual([
      { line: 1, cells: ['a', 'b,c', 'say "hi"'] },
      { line: 3, cells: ['multi\nline', '', ''] },
      { line: 5, cells: ['', 'x', ''] },
    ]);
    expect(readCsvRecords('a,b')).toEqual([{ line: 1, cells: ['a', 'b'] }]);
    expect(readCsvRecords('""')).toEqual([{ line: 1, cells: [''] }]);
  });

  it('rejects broken quoting, naming the line', () => {
    expect(() => readCsvRecords('a,b\n"open,c\n')).toThrowError(/line 2: quoted field is not closed/);
    expect(() => readCsvRecords('a,b"c"\n')).toThrowError(/line 1: a quote inside an unquoted field/);
    expect(() => readCsvRecords('a,"b"c\n')).toThrowError(/line 1: text after a closing quote/);
  });
});

describe('parseInventoryCsv', () => {
  it('reads columns in any order, quoted values, a vendor column, empty optional fields', () => {
    const text =
      'name,ecosystem,version,source_version,source_name,arch,vendor\r\n' +
      'libssl3,deb,3.0.11-1~deb12u2,,openssl,amd64,"Debian OpenSSL Team <x@example.org>"\r\n' +
      '"weird,name",deb,1.0,,,,\r\n';
    expect(parseInventoryCsv(text)).toEqual({
      os: null,
      manager: 'dpkg',
      kernel: null,
      packages: [
        {
          name: 'libssl3',
          version: '3.0.11-1~deb12u2',
          arch: 'amd64',
          sourceName: 'openssl',
          sourceVersion: '3.0.11-1~deb12u2',
          vendor: 'Debian OpenSSL Team <x@example.org>',
        },
        {
          name: 'weird,name',
          version: '1.0',
          arch: null,
          sourceName: 'weird,name',
          sourceVersion: '1.0',
          vendor: null,
        },
      ],
    });
  });

  it('reads apk and alpine as apk, and an rpm arch of (none) as none', () => {
    expect(parseInventoryCsv(`${HEADER}\napk,musl,1.2.4-r0,x86_64,musl,1.2.4-r0\n`).manager).toBe('apk');
    const rpm = parseInventoryCsv(`${HEADER}\nrpm,x,1:1-1,(none),,\n`);
    expect(rpm.packages[0]).toMatchObject({ arch: null, sourceName: 'x', sourceVersion: '1:1-1' });
  });

  it('marks rpm versions without an epoch as epoch unknown, and only those', () => {
    const inv = parseInventoryCsv(
      `${HEADER}\nrpm,dbus,1.12.20-7.el9_1,x86_64,dbus,1:1.12.20-7.el9_1\nrpm,npm,1:9.5.0-1,x86_64,nodejs,18.14.2-3\nrpm,acl,0:2.3.1-3.el9,x86_64,acl,0:2.3.1-3.el9\n`,
    );
    expect(inv.packages.map((p) => [p.name, p.version, p.epochKnown])).toEqual([
      ['dbus', '1.12.20-7.el9_1', false],
      ['npm', '1:9.5.0-1', undefined],
      ['acl', '0:2.3.1-3.el9', undefined],
    ]);
    // Debian and Alpine versions have no hidden epoch.
    expect(parseInventoryCsv(`${HEADER}\ndeb,bash,5.2-1,amd64,bash,5.2-1\n`).packages[0]?.epochKnown).toBe(
      undefined,
    );
  });

  const cases: [string, string, RegExp][] = [
    [
      'a header without a column',
      'ecosystem,name,version,arch,source_name\n',
      /line 1: header lacks source_version/,
    ],
    ['an unknown column', `${HEADER},color\n`, /line 1: unknown column "color"/],
    ['a repeated column', `${HEADER},name\n`, /line 1: column name appears twice/],
    ['no header', 'deb,bash,5.2,amd64,bash,5.2\n', /line 1: unknown column "deb"/],
    [
      'a row with the wrong field count',
      `${HEADER}\ndeb,a,1,amd64,a,1\ndeb,b,2,amd64,b\n`,
      /line 3: expected 6 fields like the header, found 5/,
    ],
    [
      'a row after a multi-line field',
      `${HEADER},vendor\ndeb,a,1,amd64,a,1,"Multi\nLine"\ndeb,c\n`,
      /line 4: expected 7 fields/,
    ],
    ['an unknown ecosystem', `${HEADER}\npypi,requests,2.0,,,\n`, /line 2: unknown ecosystem "pypi"/],
    [
      'two ecosystems',
      `${HEADER}\ndeb,a,1,amd64,a,1\nrpm,b,1-1,x86_64,b,1-1\n`,
      /line 3: ecosystem rpm differs from line 2's/,
    ],
    ['an empty version', `${HEADER}\ndeb,a,,amd64,a,1\n`, /line 2: version is empty/],
    ['a name with a space', `${HEADER}\ndeb,a b,1,amd64,,\n`, /line 2: name "a b" contains whitespace/],
  ];
  for (const [what, text, message] of cases) {
    it(`rejects ${what}, naming the line`, () => {
      const e = errorOf(() => parseInventoryCsv(text));
      expect(e.code).toBe('PL_INVENTORY_INVALID');
      expect(e.message).toMatch(/^inventory CSV: /);
      expect(e.message).toMatch(message);
    });
  }

  it('is PL_INVENTORY_EMPTY for an empty file, a header alone, or only signing keys', () => {
    expect(errorOf(() => parseInventoryCsv('')).code).toBe('PL_INVENTORY_EMPTY');
    expect(errorOf(() => parseInventoryCsv(`${HEADER}\n`)).code).toBe('PL_INVENTORY_EMPTY');
    expect(errorOf(() => parseInventoryCsv(`${HEADER}\nrpm,gpg-pubkey,a-b,,,\n`)).code).toBe(
      'PL_INVENTORY_EMPTY',
    );
  });
});
