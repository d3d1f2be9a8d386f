import { describe, expect, it } from 'vitest';
import { errorOf, readCsv, readFixture } from '@patchloop/test-support';
import { parseRpmManifest } from './rpm-manifest.js';

const epochOf = (v: string): string => /^(\d+):/.exec(v)?.[1] ?? '0';
const stripEpoch = (v: string): string => v.replace(/^\d+:/, '');

const BDB = 'rhel-claircore-bdb.rpm-manifest.json';
const HTTPD = 'rhel-claircore-httpd-24_9.5-1734525854.rpm-manifest.json';
const NODEJS = 'rhel-claircore-nodejs.rpm-manifest.json';
const COUNTS: Record<string, number> = { [BDB]: 174, [HTTPD]: 243, [NODEJS]: 301 };

const parse = (file: string) => parseRpmManifest(readFixture('inventories', 'raw', file));
const rows = (file: string) => readCsv('inventories', 'normalized', `${file}.csv`);

describe('parseRpmManifest on Red Hat image manifests', () => {
  for (const file of [BDB, HTTPD]) {
    it(`${file}: ${COUNTS[file]} packages, each as in the normalized CSV`, () => {
      const pkgs = parse(file);
      expect(pkgs).toHaveLength(COUNTS[file] ?? -1);
      expect(pkgs.map((p) => [p.name, p.version, p.arch ?? '', p.sourceName])).toEqual(
        rows(file).map((r) => [r.name, r.version, r.arch, r.source_name]),
      );
      // The CSV writes source versions without the epoch; ours carry the binary's.
      pkgs.forEach((p, i) => {
        expect(stripEpoch(p.sourceVersion)).toBe(rows(file)[i]?.source_version);
        expect(epochOf(p.sourceVersion)).toBe(epochOf(p.version));
      });
      expect(new Set(pkgs.map((p) => p.vendor)).size).toBe(1);
    });
  }

  it('reads the epoch from the nerva (bdb) and from the version (httpd)', () => {
    expect(parse(BDB).find((p) => p.name === 'dbus-common')).toMatchObject({
      version: '1:1.12.8-7.el8',
      sourceName: 'dbus',
      sourceVersion: '1:1.12.8-7.el8',
      vendor: '05b555b38483c65d',
    });
    expect(parse(HTTPD).find((p) => p.name === 'bind-libs')).toMatchObject({
      version: '32:9.16.23-24.el9_5',
      sourceName: 'bind',
      sourceVersion: '32:9.16.23-24.el9_5',
    });
  });

  it(`${NODEJS}: 301 packages; the epochs it keeps only in srpm_nevra are restored`, () => {
    const raw = (JSON.parse(readFixture('inventories', 'raw', NODEJS)) as { rpms: Record<string, string>[] })
      .rpms;
    const pkgs = parse(NODEJS);
    const csv = rows(NODEJS);
    expect(pkgs).toHaveLength(301);
    let restored = 0;
    pkgs.forEach((p, i) => {
      const r = csv[i];
      const entry = raw[i];
      expect([p.name, p.arch, p.sourceName]).toEqual([r?.name, r?.arch, r?.source_name]);
      // The CSV keeps srpm_nevra's text ("0:2.3.1-3.el9"); ours drops a zero
      // epoch, and takes the binary's when srpm_nevra names none (npm 1:9.5.0
      // from nodejs-18.14.2-3…: "1:18.14.2-3…").
      expect(stripEpoch(p.sourceVersion)).toBe(stripEpoch(r?.source_version ?? ''));
      const srcEpoch = /-(\d+):[^-]+-[^-]+$/.exec(entry?.srpm_nevra ?? '')?.[1];
      expect(epochOf(p.sourceVersion)).toBe(srcEpoch ?? epochOf(p.version));
      if (p.version === r?.version) return;
      // Otherwise the manifest's version lacks the epoch its srpm_nevra carries,
      // for a binary with the source's version-release.
      restored++;
      const src = /^.+-(\d+):([^-]+)-([^-]+)\.src$/.exec(entry?.srpm_nevra ?? '');
      expect(src).not.toBeNull();
      expect(`${entry?.version}-${entry?.release}`).toBe(`${src?.[2]}-${src?.[3]}`);
      expect(p.version).toBe(`${src?.[1]}:${r?.version}`);
    });
    expect(restored).toBe(32);
    // Subpackages with a version of their own (perl-IO 1.43 from perl 4:5.32.1) keep no epoch.
    expect(pkgs.find((p) => p.name === 'perl-IO')).toMatchObject({
      version: '1.43-480.el9',
      sourceName: 'perl',
      sourceVersion: '4:5.32.1-480.el9',
    });
  });

  it('restores the epochs the httpd (UBI 9.5) manifest and rpm give for the same packages', () => {
    const httpd = new Map(parse(HTTPD).map((p) => [p.name, p.version]));
    const compared = parse(NODEJS).filter((p) => httpd.has(p.name) && p.version.includes(':'));
    expect(compared.map((p) => p.name)).toContain('tar');
    for (const p of compared) expect(epochOf(p.version)).toBe(epochOf(httpd.get(p.name) ?? ''));
  });
});

describe('parseRpmManifest', () => {
  const manifest = (...rpms: unknown[]): string => JSON.stringify({ rpms });

  it('accepts nevra/nvra spellings, missing source fields and a gpg-pubkey entry', () => {
    expect(
      parseRpmManifest(
        manifest(
          { name: 'a', nevra: 'a-2:1.0-1.el9.x86_64', release: '1.el9' },
          { name: 'b', nvra: 'b-3.0-2.el9.noarch', architecture: 'noarch', gpg: '' },
          { name: 'gpg-pubkey', version: 'fd431d51', release: '4ae0493b' },
        ),
      ),
    ).toEqual([
      {
        name: 'a',
        version: '2:1.0-1.el9',
        arch: 'x86_64',
        sourceName: 'a',
        sourceVersion: '2:1.0-1.el9',
        vendor: null,
      },
      {
        name: 'b',
        version: '3.0-2.el9',
        arch: 'noarch',
        sourceName: 'b',
        sourceVersion: '3.0-2.el9',
        vendor: null,
        // Neither the nvra nor a source rpm gives b an epoch: it may still have one.
        epochKnown: false,
      },
    ]);
  });

  const cases: [string, string, RegExp][] = [
    ['text that is not JSON', '{"rpms": [', /^rpm manifest: document: not valid JSON/],
    ['a document without rpms', '{"packages": []}', /^rpm manifest: rpms: expected an array/],
    [
      'an entry that is not an object',
      manifest({ name: 'a', version: '1', release: '1' }, 'b'),
      /rpms\[1\]: expected an object/,
    ],
    ['an entry without a name', manifest({ version: '1', release: '1' }), /rpms\[0\]: "name" is missing/],
    [
      'an entry without a version',
      manifest({ name: 'a', release: '1' }),
      /rpms\[0\] \("a"\): has neither "version" nor "nerva"/,
    ],
    [
      'a nerva without release',
      manifest({ name: 'a', nerva: 'a.x86_64' }),
      /rpms\[0\] \("a"\): "nerva": invalid RPM package/,
    ],
    ['a nerva naming another package', manifest({ name: 'a', nerva: 'b-1-1.x86_64' }), /"nerva" names "b"/],
    [
      'an entry without a release',
      manifest({ name: 'a', version: '1.0' }),
      /rpms\[0\] \("a"\): "release" is missing/,
    ],
    [
      'a number for a string',
      manifest({ name: 'a', version: 1, release: '1' }),
      /"version" must be a string/,
    ],
  ];
  for (const [what, text, message] of cases) {
    it(`rejects ${what}, naming the entry`, () => {
      const e = errorOf(() => parseRpmManifest(text));
      expect(e.code).toBe('PL_INVENTORY_INVALID');
      expect(e.message).toMatch(message);
    });
  }

  it('is PL_INVENTORY_EMPTY for an empty rpms array', () => {
    expect(errorOf(() => parseRpmManifest('{"rpms": []}')).code).toBe('PL_INVENTORY_EMPTY');
  });
});
