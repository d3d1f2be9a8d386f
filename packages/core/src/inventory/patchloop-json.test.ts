import { describe, expect, it } from 'vitest';
import { errorOf, readFixture } from '@patchloop/test-support';
import { parseApkInstalled } from './apk-installed.js';
import { parseDpkgStatus } from './dpkg-status.js';
import type { Inventory } from './model.js';
import { formatInventoryJson, inventoryFromJson, parseInventoryJson } from './patchloop-json.js';
import { parseRpmManifest } from './rpm-manifest.js';

const debian: Inventory = {
  os: { id: 'debian', versionId: '12', codename: 'bookworm', prettyName: 'Debian GNU/Linux 12 (bookworm)' },
  manager: 'dpkg',
  kernel: '6.1.0-18-amd64',
  packages: parseDpkgStatus(readFixture('inventories', 'raw', 'debian12-bookworm-host.dpkg-status')),
};

describe('formatInventoryJson / parseInventoryJson', () => {
  const inventories: [string, Inventory][] = [
    ['a Debian host', debian],
    [
      'a RHEL image without OS or kernel',
      {
        os: null,
        manager: 'rpm',
        kernel: null,
        packages: parseRpmManifest(readFixture('inventories', 'raw', 'rhel-claircore-bdb.rpm-manifest.json')),
      },
    ],
    [
      'an Alpine container',
      {
        os: { id: 'alpine', versionId: '3.18.4', codename: null, prettyName: null },
        manager: 'apk',
        kernel: null,
        packages: parseApkInstalled(
          readFixture('inventories', 'raw', 'alpine-3.18-osv-scalibr-installed.apkdb'),
        ),
      },
    ],
  ];
  for (const [what, inv] of inventories) {
    it(`round-trips ${what}`, () => {
      const text = formatInventoryJson(inv);
      expect(parseInventoryJson(text)).toEqual(inv);
      expect(formatInventoryJson(parseInventoryJson(text))).toBe(text);
    });
  }

  it('writes a fixed key order, two-space indent and a final newline', () => {
    const text = formatInventoryJson({ ...debian, packages: debian.packages.slice(0, 1) });
    expect(text.endsWith('}\n')).toBe(true);
    expect(Object.keys(JSON.parse(text) as object)).toEqual(['os', 'manager', 'kernel', 'packages']);
    expect(text).toContain('\n  "manager": "dpkg",\n');
    expect(Object.keys((JSON.parse(text) as Inventory).packages[0] ?? {})).toEqual([
      'name',
      'version',
      'arch',
      'sourceName',
      'sourceVersion',
      'vendor',
    ]);
  });

  it('defaults what may be left out: os, kernel, codename, prettyName, arch, source, vendor', () => {
    expect(
      inventoryFromJson({
        os: { id: 'ubuntu', versionId: '22.04' },
        manager: 'dpkg',
        packages: [{ name: 'bash', version: '5.1-6ubuntu1', sourceVersion: null }],
      }),
    ).toEqual({
      os: { id: 'ubuntu', versionId: '22.04', codename: null, prettyName: null },
      manager: 'dpkg',
      kernel: null,
      packages: [
        {
          name: 'bash',
          version: '5.1-6ubuntu1',
          arch: null,
          sourceName: 'bash',
          sourceVersion: '5.1-6ubuntu1',
          vendor: null,
        },
      ],
    });
  });
});

describe('parseInventoryJson errors', () => {
  const pkg = { name: 'a', version: '1' };
  const doc = (o: object): string => JSON.stringify({ manager: 'dpkg', packages: [pkg], ...o });
  const cases: [string, string, RegExp][] = [
    ['text that is not JSON', '{"manager": "dpkg", ', /^inventory JSON: document: not valid JSON/],
    ['an array', '[]', /document: expected an object/],
    ['an unknown manager', doc({ manager: 'pacman' }), /manager: expected one of "dpkg", "rpm", "apk"/],
    ['a missing manager', JSON.stringify({ packages: [pkg] }), /manager: expected one of/],
    ['packages that are not an array', doc({ packages: { a: 1 } }), /packages: expected an array/],
    ['a package that is not an object', doc({ packages: [pkg, 'b'] }), /packages\[1\]: expected an object/],
    [
      'a package without a version',
      doc({ packages: [pkg, { name: 'b' }] }),
      /packages\[1\]\.version: expected a string/,
    ],
    [
      'a package with an empty name',
      doc({ packages: [{ name: '', version: '1' }] }),
      /packages\[0\]\.name: is empty/,
    ],
    [
      'a number for a version',
      doc({ packages: [{ name: 'a', version: 1 }] }),
      /packages\[0\]\.version: expected a string/,
    ],
    [
      'a misspelt field',
      doc({ packages: [{ ...pkg, sourcename: 'x' }] }),
      /packages\[0\]: unknown field "sourcename"/,
    ],
    ['an unknown top-level field', doc({ host: 'x' }), /document: unknown field "host"/],
    ['an os without versionId', doc({ os: { id: 'debian' } }), /os\.versionId: expected a string/],
    ['an os of the wrong type', doc({ os: 'debian' }), /os: expected an object/],
    ['a kernel with a space', doc({ kernel: '6.1 amd64' }), /kernel: "6.1 amd64" contains whitespace/],
  ];
  for (const [what, text, message] of cases) {
    it(`rejects ${what}, naming the field`, () => {
      const e = errorOf(() => parseInventoryJson(text));
      expect(e.code).toBe('PL_INVENTORY_INVALID');
      expect(e.message).toMatch(message);
    });
  }

  it('is PL_INVENTORY_EMPTY for an empty package list', () => {
    expect(errorOf(() => parseInventoryJson(doc({ packages: [] }))).code).toBe('PL_INVENTORY_EMPTY');
  });
});
