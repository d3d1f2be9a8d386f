import { schemeFor, type Advisory } from '@patchloop/core';
import { describe, expect, it } from 'vitest';
import { readFixture } from '@patchloop/test-support';
import { namedIds, readSecfixEntry } from './entry.js';
import { mergeAlpineAdvisories, parseAlpineSecdb } from './index.js';
import { compareNatural } from './merge.js';

const DIR = 'alpine-secdb';
const BRANCHES = ['v3.3', 'v3.4', 'v3.5', 'v3.6', 'v3.7', 'v3.8', 'v3.9', 'v3.10', 'v3.11'];
const REPOS = ['main', 'community'];
const FILES = BRANCHES.flatMap((b) => REPOS.map((r) => [b, r] as const));
const apk = schemeFor('apk');

function parseFile(branch: string, repo: string, ext: 'yaml' | 'json') {
  return parseAlpineSecdb(readFixture(DIR, branch, `${repo}.${ext}`), `${branch}/${repo}.${ext}`);
}

function byId(records: readonly Advisory[], id: string): Advisory {
  const a = records.find((r) => r.id === id);
  if (a === undefined) throw new Error(`${id} not parsed`);
  return a;
}

function fixedIn(release: string, pkg: string, version: string) {
  return {
    ecosystem: 'Alpine',
    release,
    package: pkg,
    packageKind: 'source',
    status: 'fixed',
    ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: version }] }],
    versions: [],
    fixedVersion: version,
    severity: null,
  };
}

/** The secdb JSON as written (the fixture's derived .json), for independent cross-checks. */
interface SecdbJson {
  distroversion: string;
  packages: { pkg: { name: string; secfixes: Record<string, string[] | null> } }[] | null;
}

describe('parseAlpineSecdb on the secdb fixtures', () => {
  it('reads YAML and JSON of every branch to the same result', () => {
    for (const [b, r] of FILES) {
      const y = parseFile(b, r, 'yaml');
      const j = parseFile(b, r, 'json');
      expect(j.records, `${b}/${r}`).toEqual(y.records);
      expect(
        j.errors.map((e) => ({ ...e, file: '' })),
        `${b}/${r}`,
      ).toEqual(y.errors.map((e) => ({ ...e, file: '' })));
    }
  });

  it('gives these counts per file: advisories, errors (something skipped), warnings', () => {
    const counts = Object.fromEntries(
      FILES.map(([b, r]) => {
        const { records, errors } = parseFile(b, r, 'yaml');
        const warnings = errors.filter((e) => e.warning === true).length;
        return [`${b}/${r}`, [records.length, errors.length - warnings, warnings]];
      }),
    );
    expect(counts).toEqual({
      'v3.3/main': [453, 5, 0],
      'v3.3/community': [0, 0, 0],
      'v3.4/main': [661, 6, 0],
      'v3.4/community': [14, 0, 0],
      'v3.5/main': [796, 6, 0],
      'v3.5/community': [98, 0, 0],
      'v3.6/main': [864, 5, 1],
      'v3.6/community': [195, 1, 0],
      'v3.7/main': [1035, 2, 0],
      'v3.7/community': [376, 3, 0],
      'v3.8/main': [1074, 16, 0],
      'v3.8/community': [461, 2, 0],
      'v3.9/main': [1054, 6, 0],
      'v3.9/community': [574, 2, 0],
      'v3.10/main': [1109, 2, 0],
      'v3.10/community': [691, 2, 0],
      'v3.11/main': [1116, 8, 0],
      'v3.11/community': [827, 3, 0],
    });
  });

  it('warns of a version with no ids (heimdal 7.4.0-r0 in v3.6/main): nothing is lost', () => {
    expect(parseFile('v3.6', 'main', 'yaml').errors.filter((e) => e.warning === true)).toEqual([
      {
        file: 'v3.6/main.yaml',
        record: 'heimdal 7.4.0-r0',
        code: 'PL_FEED_SCHEMA_INVALID',
        reason: 'no vulnerability ids listed for this version',
        warning: true,
      },
    ]);
  });

  it('reports the odd entries of v3.11/main, skipping every advisory an invalid version names', () => {
    const { records, errors } = parseFile('v3.11', 'main', 'yaml');
    const python2 =
      'python2 2.7.16-33: invalid apk version "2.7.16-33": "-" at offset 6 must start a revision "-rN"';
    const xen = 'xen 4.10-1-r1: invalid apk version "4.10-1-r1": "-" at offset 4 must start a revision "-rN"';
    expect(errors.map((e) => [e.code, e.record, e.reason, e.warning])).toEqual([
      [
        'PL_FEED_VERSION_INVALID',
        'ALPINE-CVE-2020-7247',
        'opensmtpd 6.6.2p1-r0: invalid apk version "6.6.2p1-r0": "1" at offset 6 may not follow the letter',
        undefined,
      ],
      ['PL_FEED_VERSION_INVALID', 'ALPINE-CVE-2019-16056', python2, undefined],
      ['PL_FEED_VERSION_INVALID', 'ALPINE-CVE-2019-16935', python2, undefined],
      [
        'PL_FEED_SCHEMA_INVALID',
        'rsync 3.1.2-r7',
        'entry "CVE-2017-17434-1": malformed CVE id "CVE-2017-17434-1"',
        undefined,
      ],
      [
        'PL_FEED_SCHEMA_INVALID',
        'rsync 3.1.2-r7',
        'entry "CVE-2017-17434-2": malformed CVE id "CVE-2017-17434-2"',
        undefined,
      ],
      ['PL_FEED_VERSION_INVALID', 'ALPINE-CVE-2018-8897', xen, undefined],
      ['PL_FEED_VERSION_INVALID', 'ALPINE-CVE-2018-10982', xen, undefined],
      ['PL_FEED_VERSION_INVALID', 'ALPINE-CVE-2018-10981', xen, undefined],
    ]);
    // python3 3.7.5-r0 fixes both python2 CVEs too: the advisories are not stored with python3 only.
    const ids = new Set(records.map((a) => a.id));
    for (const e of errors) expect(ids.has(e.record)).toBe(false);
  });

  it('represents every well-formed secfix of the JSON documents (1,652 packages, 12,028 entries)', () => {
    let packages = 0;
    let entries = 0;
    let checked = 0;
    const skippedWithGoodSecfixes = new Set<string>();
    for (const [b, r] of FILES) {
      const doc = JSON.parse(readFixture(DIR, b, `${r}.json`)) as SecdbJson;
      const parsed = parseFile(b, r, 'json');
      const ours = new Map(parsed.records.map((a) => [a.id, a]));
      const skipped = new Set(parsed.errors.map((e) => e.record));
      for (const { pkg } of doc.packages ?? []) {
        packages++;
        for (const [version, list] of Object.entries(pkg.secfixes)) {
          entries += list?.length ?? 0;
          if (version !== '0' && apk.validate(version) !== null) continue;
          for (const entry of list ?? []) {
            // Independent reading: CVE tokens, unless the entry has a malformed CVE-like token.
            const tokens = entry
              .replace(/\(.*\)$/, '')
              .split(/\s+/)
              .filter((t) => t !== '');
            const strict = (t: string) => /^CVE-\d{4}-\d{4,}$/.test(t);
            if (tokens.some((t) => /^CVE/i.test(t) && !strict(t) && !/^CVE-\?+-\?+$/.test(t))) continue;
            for (const cve of tokens.filter(strict)) {
              if (skipped.has(`ALPINE-${cve}`)) {
                skippedWithGoodSecfixes.add(`${b}/${r} ${pkg.name} ${cve}`);
                continue;
              }
              const p = ours.get(`ALPINE-${cve}`)?.affected.find((x) => x.package === pkg.name);
              expect(p, `${b}/${r} ${pkg.name} ${version} ${cve}`).toBeDefined();
              expect(p?.release).toBe(doc.distroversion);
              if (version === '0') expect(['not-affected', 'fixed']).toContain(p?.status);
              else expect(apk.compare(p?.fixedVersion ?? '0', version)).toBeGreaterThanOrEqual(0);
              checked++;
            }
          }
        }
      }
    }
    expect(packages).toBe(1652);
    expect(entries).toBe(12028);
    expect(checked).toBeGreaterThan(11000);
    // The advisories skipped for an invalid version elsewhere in their document.
    expect([...skippedWithGoodSecfixes]).toEqual([
      'v3.11/main python3 CVE-2019-16056',
      'v3.11/main python3 CVE-2019-16935',
    ]);
  });
});

describe('hand-checked advisories', () => {
  it('ALPINE-CVE-2019-14904: one CVE, one package of v3.11/main', () => {
    expect(byId(parseFile('v3.11', 'main', 'yaml').records, 'ALPINE-CVE-2019-14904')).toEqual({
      id: 'ALPINE-CVE-2019-14904',
      source: 'alpine-secdb',
      aliases: ['CVE-2019-14904'],
      related: [],
      published: null,
      modified: null,
      withdrawn: null,
      summary: 'CVE-2019-14904 in ansible',
      details: '',
      classification: 'security',
      severity: null,
      affected: [fixedIn('v3.11', 'ansible', '2.9.3-r0')],
      references: [{ type: 'ADVISORY', url: 'https://security.alpinelinux.org/vuln/CVE-2019-14904' }],
      url: 'https://security.alpinelinux.org/vuln/CVE-2019-14904',
    });
  });

  it('the "0" key: never affected (db in v3.8)', () => {
    const a = byId(parseFile('v3.8', 'main', 'yaml').records, 'ALPINE-CVE-2016-0682');
    expect(a.affected).toEqual([
      {
        ecosystem: 'Alpine',
        release: 'v3.8',
        package: 'db',
        packageKind: 'source',
        status: 'not-affected',
        ranges: [],
        versions: [],
        fixedVersion: null,
        severity: null,
      },
    ]);
  });

  it('vendor ids: aliases next to a CVE, the advisory id without one', () => {
    const records = parseFile('v3.10', 'main', 'yaml').records;
    expect(byId(records, 'ALPINE-CVE-2016-6258').aliases).toEqual(['CVE-2016-6258', 'XSA-182']);
    const xsa = byId(records, 'ALPINE-XSA-207');
    expect(xsa.aliases).toEqual(['XSA-207']);
    expect(xsa.url).toBe('https://xenbits.xen.org/xsa/advisory-207.html');
    expect(xsa.affected).toEqual([fixedIn('v3.10', 'xen', '4.7.1-r5')]);
    // "CVE-????-?????  XSA-295": the placeholder is dropped, the XSA stays.
    expect(byId(records, 'ALPINE-XSA-295').affected.map((p) => p.fixedVersion)).toEqual(['4.12.1-r0']);
    expect(byId(records, 'ALPINE-CVE-2017-12122').aliases).toEqual(['CVE-2017-12122', 'TALOS-2017-0488']);
  });

  it('several CVEs in one entry, and a bare word kept as a comment', () => {
    const records = parseFile('v3.7', 'main', 'yaml').records;
    for (const cve of ['CVE-2017-5753', 'CVE-2017-5715', 'CVE-2017-5754']) {
      const a = byId(records, `ALPINE-${cve}`);
      expect(a.aliases).toEqual([cve, 'XSA-254']);
      expect(a.affected).toEqual([fixedIn('v3.7', 'xen', '4.9.1-r3')]);
      expect(a.details).toBe('v3.7/main xen 4.9.1-r3: XPTI');
    }
  });

  it('parenthesized comments go to details', () => {
    const a = byId(parseFile('v3.11', 'main', 'yaml').records, 'ALPINE-CVE-2018-10103');
    expect(a.affected).toEqual([fixedIn('v3.11', 'tcpdump', '4.9.3-r0')]);
    expect(a.details).toBe('v3.11/main tcpdump 4.9.3-r0: SMB - partially fixed, but SMB printing disabled');
  });

  it('the same CVE under two versions of a package: the highest, the other noted', () => {
    const a = byId(parseFile('v3.11', 'community', 'yaml').records, 'ALPINE-CVE-2017-15191');
    expect(a.affected).toEqual([fixedIn('v3.11', 'wireshark', '2.4.2-r0')]);
    expect(a.details).toBe('v3.11 wireshark: also listed as fixed in 2.2.10-r0');
  });

  it('accepts versions without -r revision (apk does) and keeps YAML keys as written', () => {
    const curl = byId(parseFile('v3.11', 'main', 'yaml').records, 'ALPINE-CVE-2017-2629');
    expect(curl.affected).toEqual([fixedIn('v3.11', 'curl', '7.53.0')]);
  });

  it('reads a repository without secfixes (v3.3/community: "packages:" with no value)', () => {
    expect(parseFile('v3.3', 'community', 'yaml')).toEqual({ records: [], errors: [] });
    expect(parseFile('v3.3', 'community', 'json')).toEqual({ records: [], errors: [] });
  });
});

describe('mergeAlpineAdvisories', () => {
  const all = () => FILES.flatMap(([b, r]) => parseFile(b, r, 'yaml').records);

  it('unions the branches and repositories into one advisory per id', () => {
    const records = all();
    const merged = mergeAlpineAdvisories(records);
    expect(records).toHaveLength(11398);
    expect(merged).toHaveLength(2466);
    // v3.11 is left out of the python advisories (its document's python2 entry is unreadable).
    expect(byId(merged, 'ALPINE-CVE-2019-16056').affected.map((p) => p.release)).not.toContain('v3.11');
    expect(new Set(merged.map((a) => a.id)).size).toBe(2466);
    const wireshark = byId(merged, 'ALPINE-CVE-2017-15191');
    expect(wireshark.affected.map((p) => [p.release, p.package, p.fixedVersion])).toEqual([
      ['v3.5', 'wireshark', '2.2.10-r0'],
      ['v3.6', 'wireshark', '2.2.10-r0'],
      ['v3.7', 'wireshark', '2.4.2-r0'],
      ['v3.8', 'wireshark', '2.4.2-r0'],
      ['v3.9', 'wireshark', '2.4.2-r0'],
      ['v3.10', 'wireshark', '2.4.2-r0'],
      ['v3.11', 'wireshark', '2.4.2-r0'],
    ]);
    expect(wireshark.details.split('\n')[0]).toBe('v3.7 wireshark: also listed as fixed in 2.2.10-r0');
  });

  it('is idempotent and independent of input order', () => {
    const records = all();
    const merged = mergeAlpineAdvisories(records);
    expect(mergeAlpineAdvisories(merged)).toEqual(merged);
    expect(mergeAlpineAdvisories([...records].reverse())).toEqual(merged);
  });

  it('a fix named in one document wins over "0" in another for the same branch and package', () => {
    const zero = parseAlpineSecdb(
      'distroversion: v3.1\nreponame: main\npackages:\n  - pkg:\n      name: p\n      secfixes:\n        0:\n          - CVE-2020-0001\n',
      'a',
    );
    const fix = parseAlpineSecdb(
      '{"distroversion":"v3.1","reponame":"community","packages":[{"pkg":{"name":"p","secfixes":{"1.2-r0":["CVE-2020-0001"]}}}]}',
      'b',
    );
    const [merged] = mergeAlpineAdvisories([...zero.records, ...fix.records]);
    expect(merged?.affected).toEqual([fixedIn('v3.1', 'p', '1.2-r0')]);
  });
});

describe('bad input (made here)', () => {
  const doc = (secfixes: string) =>
    `---\ndistroversion: v3.12\nreponame: main\npackages:\n  - pkg:\n      name: foo\n      secfixes:\n${secfixes}`;

  it('keeps YAML scalars as written: 1.10 is not 1.1, 0 is the "0" key', () => {
    const r = parseAlpineSecdb(
      doc('        1.10-r0:\n          - CVE-2020-0001\n        0:\n          - CVE-2020-0002\n'),
      'x.yaml',
    );
    expect(r.errors).toEqual([]);
    expect(byId(r.records, 'ALPINE-CVE-2020-0001').affected[0]?.fixedVersion).toBe('1.10-r0');
    expect(byId(r.records, 'ALPINE-CVE-2020-0002').affected[0]?.status).toBe('not-affected');
  });

  it('reports bad entries and versions, and parses the rest', () => {
    const r = parseAlpineSecdb(
      doc(
        '        1.0-r0:\n          - CVE-2020-0001\n          - just words\n          - CVE_2020-9\n' +
          '        1.0.-r1:\n          - CVE-2020-0003\n        2.0-r0:\n        3.0-r0: CVE-2020-0004\n',
      ),
      'x.yaml',
    );
    expect(r.records.map((a) => a.id)).toEqual(['ALPINE-CVE-2020-0001']);
    expect(r.errors.map((e) => [e.code, e.record, e.reason, e.warning])).toEqual([
      ['PL_FEED_SCHEMA_INVALID', 'foo 1.0-r0', 'entry "just words": no vulnerability id', undefined],
      [
        'PL_FEED_SCHEMA_INVALID',
        'foo 1.0-r0',
        'entry "CVE_2020-9": malformed CVE id "CVE_2020-9"',
        undefined,
      ],
      [
        'PL_FEED_VERSION_INVALID',
        'ALPINE-CVE-2020-0003',
        expect.stringMatching(/^foo 1\.0\.-r1: invalid apk version "1\.0\.-r1"/),
        undefined,
      ],
      ['PL_FEED_SCHEMA_INVALID', 'foo 2.0-r0', 'no vulnerability ids listed for this version', true],
      [
        'PL_FEED_SCHEMA_INVALID',
        'ALPINE-CVE-2020-0004',
        'foo 3.0-r0: expected a list of ids, got string "CVE-2020-0004"',
        undefined,
      ],
    ]);
  });

  it('skips an advisory whole when one part of the document about it is unusable', () => {
    const text = JSON.stringify({
      distroversion: 'v3.12',
      reponame: 'main',
      packages: [
        { pkg: { name: 'a', secfixes: { '1.0-r0': ['CVE-2020-0001', 'CVE-2020-0002 XSA-1'] } } },
        {
          pkg: {
            name: 'b',
            secfixes: { '2.0.-r0': ['CVE-2020-0001 (bad version)'], '2.1-r0': ['CVE-2020-0003'] },
          },
        },
        { pkg: { name: 'c', secfixes: { '3.0-r0': ['CVE-2020-0002 CVE_2020-9', 'CVE-2020-0004'] } } },
        { pkg: { secfixes: { '4.0-r0': ['CVE-2020-0003'] } } },
        { pkg: { name: 'd', secfixes: { '5.0-r0': ['CVE-2020-0001'] } } },
      ],
    });
    const r = parseAlpineSecdb(text, 'x.json');
    // CVE-2020-0001 (b's version), CVE-2020-0002 (c's malformed entry), CVE-2020-0003 (a nameless package).
    expect(r.records.map((a) => [a.id, a.affected.map((p) => p.package)])).toEqual([
      ['ALPINE-CVE-2020-0004', ['c']],
    ]);
    expect(r.errors.map((e) => [e.code, e.record, e.reason])).toEqual([
      [
        'PL_FEED_VERSION_INVALID',
        'ALPINE-CVE-2020-0001',
        expect.stringMatching(/^b 2\.0\.-r0: invalid apk version "2\.0\.-r0": [^;]*$/),
      ],
      [
        'PL_FEED_SCHEMA_INVALID',
        'ALPINE-CVE-2020-0002',
        'c 3.0-r0: entry "CVE-2020-0002 CVE_2020-9": malformed CVE id "CVE_2020-9"',
      ],
      [
        'PL_FEED_SCHEMA_INVALID',
        'ALPINE-CVE-2020-0003',
        '#3: pkg.name: expected a package name, got nothing',
      ],
    ]);
  });

  it('reports an advisory skipped for several reasons once, with every reason', () => {
    const r = parseAlpineSecdb(
      doc('        1.0.-r0:\n          - CVE-2020-0001\n        2.-r0:\n          - CVE-2020-0001\n'),
      'x.yaml',
    );
    expect(r.records).toEqual([]);
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]?.record).toBe('ALPINE-CVE-2020-0001');
    expect(r.errors[0]?.reason).toMatch(
      /^foo 1\.0\.-r0: invalid apk version .*; foo 2\.-r0: invalid apk version /,
    );
  });

  it('reports packages of the wrong shape', () => {
    const text = JSON.stringify({
      distroversion: 'v3.12',
      reponame: 'main',
      packages: [
        { pkg: { name: 'ok', secfixes: { '1-r0': ['CVE-2020-0001', 7] } } },
        { pkg: { secfixes: {} } },
        'nonsense',
        { pkg: { name: 'bad', secfixes: ['CVE-2020-0002'] } },
      ],
    });
    const r = parseAlpineSecdb(text, 'x.json');
    expect(r.records.map((a) => a.id)).toEqual(['ALPINE-CVE-2020-0001']);
    expect(r.errors.map((e) => [e.record, e.reason])).toEqual([
      ['ok 1-r0', 'expected an id, got number 7'],
      ['#1', 'pkg.name: expected a package name, got nothing'],
      ['#2', 'expected {pkg: {name, secfixes}}'],
      ['ALPINE-CVE-2020-0002', 'bad: secfixes: expected a mapping of versions, got a list'],
    ]);
  });

  it('reports unreadable documents as a whole', () => {
    const one = (text: string) => {
      const r = parseAlpineSecdb(text, 'x');
      expect(r.errors.every((e) => e.warning === undefined)).toBe(true);
      return r.errors.map((e) => [e.code, e.record]);
    };
    expect(one('{"distroversion": "v3.12", "packages": [')).toEqual([['PL_FEED_JSON_INVALID', 'document']]);
    expect(one('distroversion: [v3.12\npackages: x')).toEqual([['PL_FEED_JSON_INVALID', 'document']]);
    expect(one('- a\n- b\n')).toEqual([['PL_FEED_SCHEMA_INVALID', 'document']]);
    expect(one('reponame: main\npackages:\n')).toEqual([['PL_FEED_SCHEMA_INVALID', 'document']]);
    expect(one('distroversion: v3.12\npackages: 12\n')).toEqual([['PL_FEED_SCHEMA_INVALID', 'document']]);
    expect(one('')).toEqual([['PL_FEED_SCHEMA_INVALID', 'document']]);
  });
});

describe('readSecfixEntry', () => {
  it.each([
    ['CVE-2019-14904', { cves: ['CVE-2019-14904'], others: [], comment: null }],
    ['CVE-2018-3639   XSA-263', { cves: ['CVE-2018-3639'], others: ['XSA-263'], comment: null }],
    [
      'CVE-2018-16301 (was fixed in libpcap)',
      { cves: ['CVE-2018-16301'], others: [], comment: 'was fixed in libpcap' },
    ],
    ['CVE-????-?????  XSA-284', { cves: [], others: ['XSA-284'], comment: null }],
    ['wnpa-sec-2017-18', { cves: [], others: ['wnpa-sec-2017-18'], comment: null }],
    ['ZBX-11023', { cves: [], others: ['ZBX-11023'], comment: null }],
    ['CVE 2018-16859', 'malformed CVE id "CVE"'],
    ['CVE-2019-19451.patch', 'malformed CVE id "CVE-2019-19451.patch"'],
    ['(just a comment)', 'no vulnerability id'],
  ])('%s', (entry, expected) => {
    expect(readSecfixEntry(entry)).toEqual(expected);
  });
});

it.each([
  ['CVE-2019-14904 XSA-1', ['CVE-2019-14904']],
  ['XSA-207 TALOS-2017-0488', ['XSA-207']],
  ['CVE-2020-0001 CVE_2020-9 (x)', ['CVE-2020-0001']],
  ['CVE-2017-17434-1', []],
  ['just words', []],
])('namedIds(%j)', (entry, expected) => {
  expect(namedIds(entry)).toEqual(expected);
});

it('compareNatural orders branches as numbers', () => {
  expect(['v3.10', 'v3.9', 'edge', 'v3.11', 'v3.3'].sort(compareNatural)).toEqual([
    'edge',
    'v3.3',
    'v3.9',
    'v3.10',
    'v3.11',
  ]);
});
