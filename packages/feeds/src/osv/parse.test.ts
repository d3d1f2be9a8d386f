import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { Advisory, AffectedPackage, FeedRecordError } from '@patchloop/core';
import { describe, expect, it } from 'vitest';
import { fixturePath, readFixture } from '@patchloop/test-support';
import { parseOsv } from './parse.js';

/** Every *.json under a fixture directory, as [path relative to the fixtures, text]. */
function fixtureFiles(dir: string): [string, string][] {
  const root = fixturePath();
  const walk = (d: string): string[] =>
    readdirSync(d, { withFileTypes: true })
      .flatMap((e) =>
        e.isDirectory() ? walk(join(d, e.name)) : e.name.endsWith('.json') ? [join(d, e.name)] : [],
      )
      .sort();
  return walk(fixturePath(dir)).map((f) => [relative(root, f), readFixture(relative(root, f))]);
}

function parseAll(files: [string, string][]): { records: Advisory[]; errors: FeedRecordError[]; ms: number } {
  const records: Advisory[] = [];
  const errors: FeedRecordError[] = [];
  const t0 = performance.now();
  for (const [name, text] of files) {
    const r = parseOsv(text, name);
    records.push(...r.records);
    errors.push(...r.errors);
  }
  return { records, errors, ms: performance.now() - t0 };
}

function byId(records: readonly Advisory[], id: string): Advisory {
  const a = records.find((r) => r.id === id);
  if (a === undefined) throw new Error(`${id} not parsed`);
  return a;
}

function count<T>(items: readonly T[], key: (t: T) => string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const i of items) out[key(i)] = (out[key(i)] ?? 0) + 1;
  return out;
}

/** One affected entry as a line: "release package status fixed severity". */
const line = (a: AffectedPackage) =>
  `${a.release} ${a.package} ${a.status} ${a.fixedVersion ?? '-'} ${a.severity ?? '-'}`;

describe('parseOsv: AlmaLinux 9 (all 1,783 records)', () => {
  const files = fixtureFiles('osv-almalinux/almalinux9');
  const { records, errors, ms } = parseAll(files);
  console.log(`osv: ${files.length} AlmaLinux files parsed in ${ms.toFixed(0)} ms`);

  it('parses every record, fast', () => {
    expect(errors).toEqual([]);
    expect(files).toHaveLength(1783);
    expect(records).toHaveLength(1783);
    expect(count(records, (r) => r.id.slice(0, 4))).toEqual({ ALSA: 1780, ALBA: 3 });
    expect(records.reduce((n, r) => n + r.affected.length, 0)).toBe(24_012);
    expect(ms).toBeLessThan(1000);
  });

  it('maps the summary prefix to severity and the id to a classification', () => {
    // Important 924 + 1 ALBA, Moderate 777 + 1 ALBA, and one ALBA "None: kernel bug fix …".
    expect(count(records, (r) => String(r.severity))).toEqual({
      critical: 13,
      high: 925,
      medium: 778,
      low: 66,
      none: 1,
    });
    expect(count(records, (r) => r.classification)).toEqual({ security: 1780, bugfix: 3 });
  });

  it('reads one erratum exactly (ALSA-2022:5527, an epoch in the fixed version)', () => {
    expect(byId(records, 'ALSA-2022:5527')).toEqual({
      id: 'ALSA-2022:5527',
      source: 'osv',
      aliases: ['CVE-2021-46784', 'RHSA-2022:5527'],
      related: [],
      published: '2022-07-07T00:00:00Z',
      modified: '2022-07-21T17:04:23Z',
      withdrawn: null,
      summary: 'Important: squid security update',
      details:
        'Squid is a high-performance proxy caching server for web clients, supporting FTP, Gopher, and HTTP data objects.\nSecurity Fix(es):\n* squid: DoS when processing gopher server responses (CVE-2021-46784)\nFor more details about the security issue(s), including the impact, a CVSS score, acknowledgments, and other related information, refer to the CVE page(s) listed in the References section.',
      classification: 'security',
      severity: 'high',
      affected: [
        {
          ecosystem: 'AlmaLinux',
          release: '9',
          package: 'squid',
          packageKind: 'binary',
          status: 'fixed',
          ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '7:5.2-1.el9_0.1' }] }],
          versions: [],
          fixedVersion: '7:5.2-1.el9_0.1',
          severity: null,
        },
      ],
      references: [
        { type: 'ADVISORY', url: 'https://access.redhat.com/errata/RHSA-2022:5527' },
        { type: 'REPORT', url: 'https://access.redhat.com/security/cve/CVE-2021-46784' },
        { type: 'REPORT', url: 'https://bugzilla.redhat.com/2100721' },
        { type: 'ADVISORY', url: 'https://errata.almalinux.org/9/ALSA-2022-5527.html' },
      ],
      url: 'https://errata.almalinux.org/9/ALSA-2022-5527.html',
    });
  });

  it('orders CVE aliases by year and number (ALSA-2022:5099: grub2 with epoch 1, shim without)', () => {
    const a = byId(records, 'ALSA-2022:5099');
    expect(a.aliases).toEqual([
      'CVE-2021-3695',
      'CVE-2021-3696',
      'CVE-2021-3697',
      'CVE-2022-28733',
      'CVE-2022-28734',
      'CVE-2022-28735',
      'CVE-2022-28736',
      'CVE-2022-28737',
      'RHSA-2022:5099',
    ]);
    expect(a.related).toEqual([]);
    expect(a.affected).toHaveLength(18);
    expect(a.affected.map(line).filter((l) => / (grub2-pc|shim-x64) /.test(l))).toEqual([
      '9 grub2-pc fixed 1:2.06-27.el9_0.7.alma -',
      '9 shim-x64 fixed 15.6-1.el9.alma -',
    ]);
  });

  it('reads a bug fix erratum (ALBA-2026:39332, severity "None")', () => {
    const a = byId(records, 'ALBA-2026:39332');
    expect([a.classification, a.severity, a.aliases, a.url]).toEqual([
      'bugfix',
      'none',
      ['RHBA-2026:39332'],
      'https://errata.almalinux.org/9/ALBA-2026-39332.html',
    ]);
  });

  it('reads an AlmaLinux-only erratum without a Red Hat counterpart (ALSA-2025:A002)', () => {
    const a = byId(records, 'ALSA-2025:A002');
    expect([a.aliases, a.severity, a.url]).toEqual([
      ['CVE-2025-22247'],
      'medium',
      'https://errata.almalinux.org/9/ALSA-2025-A002.html',
    ]);
  });

  it('keeps releases 8 and 10 when an erratum in the AlmaLinux 9 tree lists them', () => {
    const a = byId(records, 'ALSA-2025:10873');
    expect(count(a.affected, (p) => `${p.ecosystem} ${p.release}`)).toEqual({
      'AlmaLinux 8': 23,
      'AlmaLinux 9': 23,
      'AlmaLinux 10': 23,
    });
    expect(records.filter((r) => r.affected.some((p) => p.release !== '9'))).toHaveLength(37);
  });

  it('keeps both module-stream builds of a package as separate entries (ALSA-2024:10788)', () => {
    const a = byId(records, 'ALSA-2024:10788');
    expect(a.affected.filter((p) => p.package === 'postgresql').map((p) => p.fixedVersion)).toEqual([
      '16.6-1.module_el9.5.0+127+50ff03a9',
      '16.6-1.module_el9.5.0+128+1095dce2',
    ]);
  });
});

describe('parseOsv: Ubuntu (178 + 2 records)', () => {
  const files = [...fixtureFiles('osv-ubuntu'), ...fixtureFiles('osv-ubuntu-sample')];
  const { records, errors } = parseAll(files);

  it('parses every record', () => {
    expect(errors).toEqual([]);
    expect(files).toHaveLength(180);
    expect(records).toHaveLength(180);
    expect(count(records, (r) => r.id.split('-')[0] as string)).toEqual({ UBUNTU: 120, USN: 60 });
    expect(
      records.every((r) => r.affected.every((a) => a.ecosystem === 'Ubuntu' && a.packageKind === 'source')),
    ).toBe(true);
  });

  it('names every release by its version, with the Pro/FIPS channel after it and no ":LTS"', () => {
    expect(
      count(
        records.flatMap((r) => r.affected),
        (a) => String(a.release),
      ),
    ).toEqual({
      '14.04': 12,
      '14.04:pro': 84,
      '16.04': 15,
      '16.04:pro': 130,
      '16.04:pro:fips': 12,
      '18.04': 25,
      '18.04:pro': 134,
      '18.04:pro:fips': 13,
      '18.04:pro:fips-updates': 13,
      '20.04': 83,
      '20.04:pro': 72,
      '20.04:pro:fips': 13,
      '20.04:pro:fips-updates': 13,
      '22.04': 186,
      '22.04:pro': 14,
      '22.04:pro:fips-preview': 44,
      '22.04:pro:fips-updates': 44,
      '24.04': 177,
      '24.04:pro:fips-updates': 23,
      '24.10': 12,
      '25.04': 14,
      '25.10': 109,
      // "Ubuntu:26.04" (records before 2026-05) and "Ubuntu:26.04:LTS" are one release.
      '26.04': 89,
    });
  });

  it('reads an OSV 1.7 UBUNTU-CVE record (upstream CVE, Ubuntu priority, fixed and unfixed releases)', () => {
    const a = byId(records, 'UBUNTU-CVE-2024-12133');
    expect([a.aliases, a.related, a.severity, a.classification, a.url, a.summary]).toEqual([
      ['CVE-2024-12133'],
      ['USN-7275-1', 'USN-7275-2'],
      'medium',
      'security',
      'https://ubuntu.com/security/CVE-2024-12133',
      '',
    ]);
    expect(a.affected.map(line)).toEqual([
      '14.04:pro libtasn1-6 unfixed - -',
      '16.04:pro libtasn1-6 unfixed - -',
      '18.04:pro libtasn1-6 unfixed - -',
      '20.04 libtasn1-6 fixed 4.16.0-2ubuntu0.1 -',
      '22.04 libtasn1-6 fixed 4.18.0-4ubuntu0.1 -',
      '24.04 libtasn1-6 fixed 4.19.0-3ubuntu0.24.04.1 -',
    ]);
    expect(a.affected[3]?.versions).toEqual(['4.14-3', '4.15.0-2', '4.16.0-2']);
    expect(a.affected[3]?.ranges).toEqual([
      { type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '4.16.0-2ubuntu0.1' }] },
    ]);
  });

  it('reads an OSV 1.6.3 UBUNTU-CVE record (CVE in related, priority per package)', () => {
    const a = byId(records, 'UBUNTU-CVE-2016-2781');
    expect([a.aliases, a.related, a.severity, a.url, a.published]).toEqual([
      ['CVE-2016-2781'],
      [],
      'low',
      'https://ubuntu.com/security/CVE-2016-2781',
      '2017-02-07T15:59:00Z',
    ]);
    expect(a.affected.map(line)).toEqual([
      '14.04:pro coreutils unfixed - low',
      '16.04:pro coreutils unfixed - low',
      '18.04:pro coreutils unfixed - low',
      '20.04 coreutils unfixed - low',
      '22.04 coreutils unfixed - low',
      '24.04 coreutils unfixed - low',
    ]);
  });

  it('reads a USN: CVE ids from its UBUNTU-CVE upstream, severity from cves_map', () => {
    const a = byId(records, 'USN-8611-1');
    const cves = ['4046', '4437', '4438', '5435', '5450', '5928', '6238'];
    expect(a.aliases).toEqual([
      ...cves.map((n) => `CVE-2026-${n}`),
      ...cves.map((n) => `UBUNTU-CVE-2026-${n}`),
    ]);
    expect([a.summary, a.severity, a.url]).toEqual([
      'glibc vulnerabilities',
      'medium',
      'https://ubuntu.com/security/notices/USN-8611-1',
    ]);
    expect(a.affected.map(line)).toEqual([
      '22.04 glibc fixed 2.35-0ubuntu3.14 medium',
      '24.04 glibc fixed 2.39-0ubuntu8.8 medium',
      '26.04 glibc fixed 2.43-2ubuntu2.3 medium',
    ]);
  });

  it('promotes CVE and UBUNTU-CVE ids of an OSV 1.6.3 USN from related', () => {
    const a = byId(records, 'USN-7264-1');
    expect(a.aliases).toEqual([
      'CVE-2024-9143',
      'CVE-2024-12797',
      'CVE-2024-13176',
      'UBUNTU-CVE-2024-12797',
      'UBUNTU-CVE-2024-13176',
      'UBUNTU-CVE-2024-9143',
    ]);
    expect(a.related).toEqual([]);
  });

  it('reads the format sample exactly (USN-2169-2)', () => {
    const a = byId(records, 'USN-2169-2');
    expect({ ...a, details: a.details.slice(0, 40) }).toEqual({
      id: 'USN-2169-2',
      source: 'osv',
      aliases: [],
      related: [],
      published: '2014-04-23T04:14:10.574690Z',
      modified: '2025-07-16T04:41:47Z',
      withdrawn: null,
      summary: 'python-django regression',
      details: 'USN-2169-1 fixed vulnerabilities in Djan',
      classification: 'security',
      severity: null,
      affected: [
        {
          ecosystem: 'Ubuntu',
          release: '14.04',
          package: 'python-django',
          packageKind: 'source',
          status: 'fixed',
          ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '1.6.1-2ubuntu0.2' }] }],
          versions: ['1.5.4-1ubuntu1', '1.6-1', '1.6.1-1', '1.6.1-2', '1.6.1-2ubuntu0.1'],
          fixedVersion: '1.6.1-2ubuntu0.2',
          severity: null,
        },
      ],
      references: [
        { type: 'ADVISORY', url: 'https://ubuntu.com/security/notices/USN-2169-2' },
        { type: 'REPORT', url: 'https://launchpad.net/bugs/1311433' },
      ],
      url: 'https://ubuntu.com/security/notices/USN-2169-2',
    });
  });
});

/** A small valid record, changed per test. */
function record(
  over: Record<string, unknown> = {},
  affected: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    id: 'TEST-1',
    modified: '2024-01-01T00:00:00Z',
    affected: [
      {
        package: { ecosystem: 'Debian:12', name: 'openssl' },
        ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '3.0.11-1~deb12u2' }] }],
        ...affected,
      },
    ],
    ...over,
  };
}

const events = (...e: Record<string, string>[]) => ({ ranges: [{ type: 'ECOSYSTEM', events: e }] });

describe('parseOsv: bad input', () => {
  it('reports truncated JSON once, by the id it can see', () => {
    const text = readFixture('osv-almalinux/almalinux9/ALSA-2022:5527.json');
    const r = parseOsv(text.slice(0, 300), 'ALSA-2022:5527.json');
    expect(r.records).toEqual([]);
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]).toMatchObject({
      file: 'ALSA-2022:5527.json',
      record: 'ALSA-2022:5527',
      code: 'PL_FEED_JSON_INVALID',
    });
    expect(r.errors[0]?.reason).toMatch(/^invalid JSON at line 1\d: /);
  });

  it('names broken JSON without an id by its line', () => {
    const r = parseOsv('[\n  {"id": "A-1",\n  "modified": }\n]', 'a.json');
    expect(r.errors.map((e) => [e.record, e.code])).toEqual([['line 3', 'PL_FEED_JSON_INVALID']]);
    expect(parseOsv('', 'empty.json').errors.map((e) => e.code)).toEqual(['PL_FEED_JSON_INVALID']);
  });

  it('skips bad records of an array, reports each, and parses the good ones', () => {
    const input = [
      record({ id: 'GOOD-1' }),
      record({ id: undefined }),
      record({ id: 'BAD-VERSION' }, events({ introduced: '0' }, { fixed: 'not a version!' })),
      record({ id: 'BAD-ECOSYSTEM' }, { package: { ecosystem: 'PyPI', name: 'django' } }),
      record({ id: 'BAD-TYPE', modified: 20240101 }),
      'not a record',
      record({ id: 'GOOD-2' }),
    ];
    const r = parseOsv(JSON.stringify(input), 'batch.json');
    expect(r.records.map((a) => a.id)).toEqual(['GOOD-1', 'GOOD-2']);
    expect(r.errors.filter((e) => e.warning !== undefined)).toEqual([]);
    expect(r.errors.map((e) => [e.record, e.code])).toEqual([
      ['#1', 'PL_FEED_SCHEMA_INVALID'],
      ['BAD-VERSION', 'PL_FEED_VERSION_INVALID'],
      ['BAD-ECOSYSTEM', 'PL_FEED_ECOSYSTEM_UNKNOWN'],
      ['BAD-TYPE', 'PL_FEED_SCHEMA_INVALID'],
      ['#5', 'PL_FEED_SCHEMA_INVALID'],
    ]);
    const reasons = r.errors.map((e) => e.reason);
    expect(reasons[0]).toBe('id: expected a string, got undefined');
    expect(reasons[1]).toMatch(
      /^affected\[0\]\.ranges\[0\]\.events\[1\]\.fixed: "not a version!" is not a valid debian version for openssl \(Debian:12\): ./,
    );
    expect(reasons.slice(2)).toEqual([
      'affected[0].package.ecosystem: no version scheme for ecosystem "PyPI"',
      'modified: expected a string, got number',
      'record: expected an object, got string',
    ]);
  });

  it('skips a record whole when one range of one package is bad, however many are good', () => {
    const good = {
      package: { ecosystem: 'Debian:12', name: 'a' },
      ...events({ introduced: '0' }, { fixed: '1.0-1' }),
    };
    const bad = {
      package: { ecosystem: 'Debian:12', name: 'b' },
      ...events({ introduced: '0' }, { fixed: '!' }),
    };
    const r = parseOsv(JSON.stringify(record({ affected: [good, good, bad, good] })), 'x.json');
    expect(r.records).toEqual([]);
    expect(r.errors.map((e) => [e.record, e.code, e.warning])).toEqual([
      ['TEST-1', 'PL_FEED_VERSION_INVALID', undefined],
    ]);
    expect(r.errors[0]?.reason).toMatch(/^affected\[2\]\.ranges\[0\]\.events\[1\]\.fixed: "!" /);
  });

  it('checks every event and range shape', () => {
    const bad = (over: Record<string, unknown>) =>
      parseOsv(JSON.stringify(record({}, over)), 'x.json').errors;
    expect(bad(events({ introduced: '0', fixed: '1.0-1' }))[0]?.reason).toBe(
      'affected[0].ranges[0].events[0]: expected exactly one of introduced, fixed, last_affected, limit, got 2',
    );
    expect(bad(events({}))[0]?.code).toBe('PL_FEED_SCHEMA_INVALID');
    expect(bad({ ranges: [{ type: 'RANGE', events: [] }] })[0]?.reason).toBe(
      'affected[0].ranges[0].type: expected ECOSYSTEM, SEMVER or GIT, got string',
    );
    expect(bad({ package: { ecosystem: 'Debian:12' } })[0]?.reason).toBe(
      'affected[0].package.name: expected a string, got undefined',
    );
    expect(bad({ versions: ['1.0-1', 2] })[0]?.reason).toBe(
      'affected[0].versions[1]: expected a string, got number',
    );
  });

  it('validates last_affected and limit too, with the scheme of the ecosystem', () => {
    const r = (ecosystem: string, ...e: Record<string, string>[]) =>
      parseOsv(JSON.stringify(record({}, { package: { ecosystem, name: 'p' }, ...events(...e) })), 'x.json');
    expect(r('AlmaLinux:9', { introduced: '0' }, { last_affected: '' }).errors[0]?.code).toBe(
      'PL_FEED_VERSION_INVALID',
    );
    expect(r('Alpine:v3.18', { introduced: '0' }, { fixed: '1.2.3-r0' }).errors).toEqual([]);
    expect(r('Alpine:v3.18', { introduced: '0' }, { limit: '1.2.3-rX' }).errors[0]?.code).toBe(
      'PL_FEED_VERSION_INVALID',
    );
    expect(
      r('Rocky Linux:9', { introduced: '0' }, { fixed: '2:1.0-1.el9' }).records[0]?.affected[0],
    ).toMatchObject({
      ecosystem: 'Rocky Linux',
      release: '9',
      packageKind: 'binary',
      fixedVersion: '2:1.0-1.el9',
    });
  });

  it('accepts "0" in any scheme, checks SEMVER ranges as SemVer and leaves GIT commits alone', () => {
    const npm = parseOsv(
      JSON.stringify(
        record(
          { id: 'GHSA-xxxx', aliases: ['CVE-2024-2'], database_specific: { severity: 'MODERATE' } },
          {
            package: { ecosystem: 'npm', name: 'left-pad' },
            ranges: [
              { type: 'SEMVER', events: [{ introduced: '0' }, { fixed: '1.3.0' }] },
              { type: 'SEMVER', events: [{ introduced: '2.0.0' }, { fixed: '2.1.4' }] },
              {
                type: 'GIT',
                repo: 'https://example.com/x.git',
                events: [{ introduced: '0' }, { fixed: 'abc123' }],
              },
            ],
          },
        ),
      ),
      'x.json',
    );
    expect(npm.errors).toEqual([]);
    const a = npm.records[0];
    expect([a?.severity, a?.aliases]).toEqual(['medium', ['CVE-2024-2']]);
    expect(a?.affected[0]).toMatchObject({
      ecosystem: 'npm',
      release: null,
      packageKind: 'binary',
      status: 'fixed',
      fixedVersion: '2.1.4',
    });
    const bad = parseOsv(
      JSON.stringify(
        record({}, { package: { ecosystem: 'npm', name: 'x' }, ...events({ introduced: '1.0' }) }),
      ),
      'x.json',
    );
    expect(bad.errors[0]?.reason).toMatch(
      /^affected\[0\]\.ranges\[0\]\.events\[0\]\.introduced: "1\.0" is not a valid semver version/,
    );
  });

  it('reads a record after a byte order mark', () => {
    expect(parseOsv(`\ufeff${JSON.stringify(record())}`, 'x.json').records.map((a) => a.id)).toEqual([
      'TEST-1',
    ]);
  });

  it('leaves out package-less (repository) entries and reads withdrawn', () => {
    const r = parseOsv(
      JSON.stringify(
        record({
          withdrawn: '2024-02-02T00:00:00Z',
          affected: [{ ranges: [{ type: 'GIT', repo: 'r', events: [{ introduced: '0' }] }] }],
        }),
      ),
      'x.json',
    );
    expect(r.errors).toEqual([]);
    expect([r.records[0]?.withdrawn, r.records[0]?.affected]).toEqual(['2024-02-02T00:00:00Z', []]);
  });

  it('keeps related ids of a record that has aliases, and never lists its own id', () => {
    const r = parseOsv(
      JSON.stringify(
        record({ aliases: ['CVE-2024-10', 'TEST-1', 'CVE-2023-9'], related: ['CVE-2024-11', 'CVE-2024-10'] }),
      ),
      'x.json',
    );
    expect([r.records[0]?.aliases, r.records[0]?.related]).toEqual([
      ['CVE-2023-9', 'CVE-2024-10'],
      ['CVE-2024-11'],
    ]);
  });
});
