import type { Advisory, AffectedPackage } from '@patchloop/core';
import { describe, expect, it } from 'vitest';
import { readFixture } from '@patchloop/test-support';
import { compareIds } from '../record/index.js';
import { parseDebianList, type DebianListSource } from './index.js';
import { isoDate, summaryOf } from './parse.js';

const DIR = 'debian-security-tracker';

/** Shape of the derived DSA.json / DLA.json next to the lists (a lossy cross-check, see below). */
interface DerivedEntry {
  date: string;
  id: string;
  package: string;
  title: string;
  cves: string[];
  fixed: { release: string; package: string; fixed_version?: string; status?: string; note?: string }[];
  notes: string[];
}

const parsed = new Map<string, ReturnType<typeof parseDebianList>>();
function parseFixture(file: string, source: DebianListSource) {
  let r = parsed.get(file);
  if (r === undefined) {
    r = parseDebianList(readFixture(DIR, file), file, source);
    parsed.set(file, r);
  }
  return r;
}

function byId(records: readonly Advisory[], id: string): Advisory {
  const a = records.find((r) => r.id === id);
  if (a === undefined) throw new Error(`${id} not parsed`);
  return a;
}

function fixed(release: string, pkg: string, version: string, severity: AffectedPackage['severity'] = null) {
  return {
    ecosystem: 'Debian',
    release,
    package: pkg,
    packageKind: 'source',
    status: 'fixed',
    ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: version }] }],
    versions: [],
    fixedVersion: version,
    severity,
  };
}

describe('parseDebianList on the tracker lists', () => {
  it('reads every DSA entry, suffix-less old ids included, and skips the one with a broken line', () => {
    const text = readFixture(DIR, 'DSA-list.txt');
    const headers = text.match(/^\[[^\]]+\]\s+DSA-\d+(?:-\d+)?\b/gm) ?? [];
    expect(headers).toHaveLength(5406);
    const { records, errors } = parseFixture('DSA-list.txt', 'debian-dsa');
    expect(records).toHaveLength(5405);
    expect(new Set(records.map((r) => r.id)).size).toBe(5405);
    expect(records.filter((r) => /^DSA-\d+$/.test(r.id))).toHaveLength(470);
    // DSA-423 names the package where the version belongs: "kernel-image-2.4.17-ia64 kernel-image-2.4.17-ia64".
    // Its other release lines are fine, but an advisory without one of its fixes is not stored.
    expect(errors).toEqual([
      {
        file: 'DSA-list.txt',
        record: 'DSA-423',
        code: 'PL_FEED_VERSION_INVALID',
        reason: expect.stringMatching(
          /^line 17244: invalid fixed version "kernel-image-2\.4\.17-ia64" [^;]*$/,
        ),
      },
    ]);
    expect(records.find((r) => r.id === 'DSA-423')).toBeUndefined();
  });

  it('reads every DLA entry without error', () => {
    const { records, errors } = parseFixture('DLA-list.txt', 'debian-dla');
    expect(errors).toEqual([]);
    expect(records).toHaveLength(3534);
    expect(new Set(records.map((r) => r.id)).size).toBe(3534);
  });

  it.each([
    ['DSA', 'debian-dsa', 4862, 543, 69],
    ['DLA', 'debian-dla', 3534, 0, 0],
  ] as const)(
    'agrees with the derived %s.json on every entry it has (ids, dates, CVEs, fixes, notes)',
    (kind, source, derivedCount, onlyInList, gluedCount) => {
      const { records } = parseFixture(`${kind}-list.txt`, source);
      const derived = JSON.parse(readFixture(DIR, `${kind}.json`)) as DerivedEntry[];
      expect(derived).toHaveLength(derivedCount);
      // The derived JSON dropped the suffix-less ids and the headers its regex did not match
      // (no " - ", "--", several packages, announcements): those exist only in our parse. (DSA-423,
      // which we skip, is one of them: the derived JSON glued it onto DSA-542-1.)
      expect(records.length - derived.length).toBe(onlyInList);
      const ours = new Map(records.map((r) => [r.id, r]));
      // The derived JSON glues the entries its regex missed (header as a note, then their CVEs,
      // fixes and notes) onto the entry before: those entries are compared on id and date only.
      const glued = derived.filter((d) => d.notes.some((n) => n.startsWith('[')));
      expect(glued).toHaveLength(gluedCount);
      for (const d of derived) {
        if (glued.includes(d)) {
          expect(ours.get(d.id)?.published, d.id).toBe(d.date);
          continue;
        }
        const a = ours.get(d.id);
        expect(a, d.id).toBeDefined();
        if (a === undefined) continue;
        expect(a.published, d.id).toBe(d.date);
        expect(a.aliases, d.id).toEqual([...new Set(d.cves)].sort(compareIds));
        const expected = d.fixed.map((f) => [
          f.release,
          f.package,
          f.fixed_version ?? null,
          f.status ?? 'fixed',
        ]);
        expect(
          a.affected.map((p) => [p.release, p.package, p.fixedVersion, p.status]),
          d.id,
        ).toEqual(expected);
        for (const f of d.fixed) {
          const sev = /\((low|medium|high)\)|; (low|medium|high)\)/.exec(f.note ?? '');
          if (sev === null) continue;
          const p = a.affected.find((x) => x.release === f.release && x.package === f.package);
          expect(p?.severity, d.id).toBe(sev[1] ?? sev[2]);
        }
        for (const note of d.notes) {
          expect(a.details, d.id).toContain(note.replace(/^NOTE:\s*/, ''));
        }
      }
    },
  );

  it('gives every record a date, a tracker url and a summary', () => {
    for (const [file, source] of [
      ['DSA-list.txt', 'debian-dsa'],
      ['DLA-list.txt', 'debian-dla'],
    ] as const) {
      for (const a of parseFixture(file, source).records) {
        expect(a.source).toBe(source);
        expect(a.published).toMatch(/^\d{4}-\d{2}-\d{2}$/);
        expect(a.modified).toBe(a.published);
        expect(a.url).toBe(`https://security-tracker.debian.org/tracker/${a.id}`);
        expect(a.summary).not.toBe('');
        expect(a.aliases).not.toContain(a.id);
      }
    }
  });

  it('parses both lists well under a second', () => {
    const dsa = readFixture(DIR, 'DSA-list.txt');
    const dla = readFixture(DIR, 'DLA-list.txt');
    parseDebianList(dla, 'DLA-list.txt', 'debian-dla'); // warm up
    const start = performance.now();
    parseDebianList(dsa, 'DSA-list.txt', 'debian-dsa');
    parseDebianList(dla, 'DLA-list.txt', 'debian-dla');
    expect(performance.now() - start).toBeLessThan(1000);
  });
});

describe('hand-checked entries', () => {
  const dsa = () => parseFixture('DSA-list.txt', 'debian-dsa').records;
  const dla = () => parseFixture('DLA-list.txt', 'debian-dla').records;

  it('DSA-5380-1: a fixed version with an epoch', () => {
    expect(byId(dsa(), 'DSA-5380-1')).toEqual({
      id: 'DSA-5380-1',
      source: 'debian-dsa',
      aliases: ['CVE-2023-1393'],
      related: [],
      published: '2023-03-29',
      modified: '2023-03-29',
      withdrawn: null,
      summary: 'xorg-server - security update',
      details: '',
      classification: 'security',
      severity: null,
      affected: [fixed('bullseye', 'xorg-server', '2:1.20.11-1+deb11u6')],
      references: [{ type: 'ADVISORY', url: 'https://security-tracker.debian.org/tracker/DSA-5380-1' }],
      url: 'https://security-tracker.debian.org/tracker/DSA-5380-1',
    });
  });

  it('DSA-2275-1: <not-affected> for one release, fixed in another', () => {
    const a = byId(dsa(), 'DSA-2275-1');
    expect(a.affected).toEqual([
      fixed('squeeze', 'openoffice.org', '1:3.2.1-11+squeeze3'),
      {
        ecosystem: 'Debian',
        release: 'lenny',
        package: 'openoffice.org',
        packageKind: 'source',
        status: 'not-affected',
        ranges: [],
        versions: [],
        fixedVersion: null,
        severity: null,
      },
    ]);
    expect(a.details).toBe('[lenny] openoffice.org: Vulnerable code not present');
  });

  it('DSA-140: an old id without revision suffix, two packages in one release', () => {
    const a = byId(dsa(), 'DSA-140');
    expect(a.published).toBe('2002-08-05');
    expect(a.summary).toBe('libpng - buffer overflow');
    expect(a.aliases).toEqual(['CVE-2002-0660', 'CVE-2002-0728']);
    expect(a.affected).toEqual([
      fixed('woody', 'libpng', '1.0.12-3.woody.2'),
      fixed('woody', 'libpng3', '1.2.1-1.1.woody.2'),
    ]);
  });

  it('DSA-5356-2: a regression update without CVE line', () => {
    const a = byId(dsa(), 'DSA-5356-2');
    expect(a.aliases).toEqual([]);
    expect(a.summary).toBe('sox - regression update');
    expect(a.affected).toEqual([fixed('bullseye', 'sox', '14.4.2+git20190427-2+deb11u2')]);
  });

  it('DLA-3372-1: a DLA', () => {
    const a = byId(dla(), 'DLA-3372-1');
    expect(a.source).toBe('debian-dla');
    expect(a.published).toBe('2023-03-29');
    expect(a.affected).toEqual([fixed('buster', 'xorg-server', '2:1.20.4-1+deb10u9')]);
  });

  it('DLA-372-1: <end-of-life> stays affected, with no fix', () => {
    expect(byId(dla(), 'DLA-372-1').affected).toEqual([
      {
        ecosystem: 'Debian',
        release: 'squeeze',
        package: 'virtualbox-ose',
        packageKind: 'source',
        status: 'end-of-life',
        ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }] }],
        versions: [],
        fixedVersion: null,
        severity: null,
      },
    ]);
  });

  it('DSA-746-1: <unfixed> and a per-package severity from the old "(high)" notes', () => {
    const a = byId(dsa(), 'DSA-746-1');
    expect(a.affected.map((p) => [p.release, p.status, p.fixedVersion, p.severity, p.ranges])).toEqual([
      ['woody', 'unfixed', null, 'high', [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }] }]],
      [
        'sarge',
        'fixed',
        '0.9.16.005-3.sarge0',
        'high',
        [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '0.9.16.005-3.sarge0' }] }],
      ],
    ]);
  });

  it('keeps entries without a release line, with their notes and no affected package', () => {
    const eol = byId(dsa(), 'DSA-4205-1');
    expect(eol.summary).toBe('jessie end-of-life');
    expect(eol.affected).toEqual([]);
    expect(eol.details).toBe('end of security support for jessie');
    const glibc = byId(dsa(), 'DSA-1605-1');
    expect(glibc.aliases).toEqual(['CVE-2008-1447']);
    expect(glibc.affected).toEqual([]);
    expect(glibc.details).toContain('<unfixed> (backport too complicated');
    expect(byId(dsa(), 'DSA-3281-1').summary).toBe('Debian Security Team PGP/GPG key change notice');
  });

  it('normalizes the irregular headers', () => {
    expect(byId(dsa(), 'DSA-135').summary).toBe('libapache-mod-ssl - buffer overflow / DoS');
    expect(byId(dsa(), 'DSA-1099-1').summary).toBe('horde2 - missing input sanitising');
    expect(byId(dsa(), 'DSA-1727-1').summary).toBe('proftpd-dfsg - SQL injection vulnerabilites');
    expect(byId(dsa(), 'DSA-2092-1').summary).toBe('lxr-cvs - cross-site scripting');
    expect(byId(dsa(), 'DSA-1452-1').summary).toBe('wzdftpd denial of service');
    expect(byId(dsa(), 'DSA-1599-1').summary).toBe('dbus');
    expect(byId(dsa(), 'DSA-2015-1').affected.map((p) => p.package)).toEqual([
      'drbd8',
      'linux-modules-extra-2.6',
    ]);
  });

  it('reads space-indented lines, padded CVE braces and doubled spaces', () => {
    expect(byId(dsa(), 'DSA-1099-1').aliases).toEqual(['CVE-2006-2195']);
    expect(byId(dsa(), 'DSA-1075-1').affected).toEqual([fixed('sarge', 'awstats', '6.4-1sarge3')]);
    expect(byId(dsa(), 'DSA-1075-1').details).toBe('[sarge] awstats: bug #365910');
    expect(byId(dsa(), 'DSA-2798-1').affected.map((p) => p.fixedVersion)).toContain('7.26.0-1+wheezy5');
  });
});

describe('bad input (made here)', () => {
  const good = '[02 Jan 2020] DSA-9999-1 foo - security update\n\t{CVE-2020-0001}\n\t[buster] - foo 1.0-1\n';

  it('skips an entry with a bad line whole, with one error naming every bad line', () => {
    const next = '[03 Jan 2020] DSA-9998-1 bar - security update\n\t[buster] - bar 2.0-1\n';
    const text = `${good}\tgarbage here\n\t{CVE-2020-0002 CVE-X}\n${next}`;
    const r = parseDebianList(text, 'x', 'debian-dsa');
    expect(r.records.map((a) => a.id)).toEqual(['DSA-9998-1']);
    expect(r.errors).toEqual([
      {
        file: 'x',
        record: 'DSA-9999-1',
        code: 'PL_FEED_LINE_INVALID',
        reason: 'line 4: unknown line: "garbage here"; line 5: not a CVE id in the CVE list: CVE-X',
      },
    ]);
  });

  it('skips an entry whose only fault is one fixed version, and keeps its neighbours', () => {
    const text =
      '[01 Jan 2020] DSA-9997-1 foo - security update\n\t[buster] - foo 1.0-1\n' +
      '[02 Jan 2020] DSA-9998-1 bar - security update\n\t{CVE-2020-0001}\n' +
      '\t[bullseye] - bar 2.0-1\n\t[buster] - bar bar\n\tNOTE: fixed\n' +
      '[03 Jan 2020] DSA-9999-1 baz - security update\n\t[buster] - baz 3.0-1\n';
    const r = parseDebianList(text, 'x', 'debian-dsa');
    expect(r.records.map((a) => a.id)).toEqual(['DSA-9997-1', 'DSA-9999-1']);
    expect(r.errors.map((e) => [e.record, e.code, e.reason])).toEqual([
      [
        'DSA-9998-1',
        'PL_FEED_VERSION_INVALID',
        expect.stringMatching(/^line 6: invalid fixed version "bar" for bar: /),
      ],
    ]);
  });

  it('skips a whole entry whose header or date is bad, and goes on', () => {
    const text = `[31 Feb 2020] DSA-9998-1 bar - x\n\t[buster] - bar 1.0\n[xx] DSA-9997-1 baz\n\t[buster] - baz 1\n${good}`;
    const r = parseDebianList(text, 'x', 'debian-dsa');
    expect(r.records.map((a) => a.id)).toEqual(['DSA-9999-1']);
    expect(r.errors.map((e) => [e.record, e.code, e.reason])).toEqual([
      ['DSA-9998-1', 'PL_FEED_SCHEMA_INVALID', 'line 1: invalid date "31 Feb 2020"'],
      ['DSA-9997-1', 'PL_FEED_LINE_INVALID', 'line 3: not an advisory header: "[xx] DSA-9997-1 baz"'],
    ]);
  });

  it('rejects ids of the other list and repeated ids, also after a skipped entry', () => {
    const text = `${good}[02 Jan 2020] DLA-1-1 foo - x\n${good}`;
    const r = parseDebianList(text, 'x', 'debian-dsa');
    expect(r.records).toHaveLength(1);
    expect(r.errors.map((e) => e.reason)).toEqual([
      'line 4: DLA-1-1 does not belong in a debian-dsa list',
      'line 5: DSA-9999-1 appears a second time',
    ]);
    // The first DSA-9999-1 is skipped for its bad line; the second is still a repeat, not a stand-in.
    const twice = parseDebianList(`${good}\t[bullseye] - foo <weird>\n${good}`, 'x', 'debian-dsa');
    expect(twice.records).toEqual([]);
    expect(twice.errors.map((e) => [e.record, e.code, e.reason])).toEqual([
      ['DSA-9999-1', 'PL_FEED_LINE_INVALID', 'line 4: unknown status <weird> for foo in bullseye'],
      ['DSA-9999-1', 'PL_FEED_SCHEMA_INVALID', 'line 5: DSA-9999-1 appears a second time'],
    ]);
  });

  it('reports invalid versions, unknown statuses and lines outside entries, in line order', () => {
    const text =
      'stray line\n' +
      '[02 Jan 2020] DSA-9999-1 foo - x\n' +
      '\t[buster] - foo not-a-version\n' +
      '\t[bullseye] - foo <weird>\n' +
      '\t[bookworm] - foo 1.0-1 trailing words\n' +
      '\t[trixie] - foo <no-dsa> (minor issue)\n' +
      'unindented\n' +
      '[03 Jan 2020] DSA-9998-1 foo - x\n' +
      '\t[trixie] - foo <no-dsa> (minor issue)\n';
    const r = parseDebianList(text, 'x', 'debian-dsa');
    expect(r.errors.map((e) => [e.record, e.code, e.warning])).toEqual([
      ['line 1', 'PL_FEED_LINE_INVALID', undefined],
      ['DSA-9999-1', 'PL_FEED_VERSION_INVALID', undefined],
    ]);
    expect(r.errors[0]?.reason).toBe('line 1: line outside any advisory entry: "stray line"');
    expect(r.errors[1]?.reason.split('; ')).toEqual([
      expect.stringMatching(/^line 3: invalid fixed version "not-a-version" for foo: /),
      'line 4: unknown status <weird> for foo in bullseye',
      'line 5: unexpected text after the version of foo in bookworm: "1.0-1 trailing words"',
      'line 7: expected an indented line or an advisory header: "unindented"',
    ]);
    expect(r.records.map((a) => a.id)).toEqual(['DSA-9998-1']);
    expect(r.records[0]?.affected).toEqual([
      {
        ecosystem: 'Debian',
        release: 'trixie',
        package: 'foo',
        packageKind: 'source',
        status: 'unfixed',
        ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }] }],
        versions: [],
        fixedVersion: null,
        severity: null,
      },
    ]);
    expect(r.records[0]?.details).toBe('[trixie] foo: <no-dsa> minor issue');
  });

  it('accepts CRLF line endings and an empty file', () => {
    expect(parseDebianList(good.replaceAll('\n', '\r\n'), 'x', 'debian-dsa')).toEqual(
      parseDebianList(good, 'x', 'debian-dsa'),
    );
    expect(parseDebianList('', 'x', 'debian-dla')).toEqual({ records: [], errors: [] });
  });
});

describe('helpers', () => {
  it('isoDate accepts calendar dates only', () => {
    expect(isoDate('29 Feb 2004')).toBe('2004-02-29');
    expect(isoDate('1 Jan 2020')).toBe('2020-01-01');
    expect(isoDate('29 Feb 2023')).toBeNull();
    expect(isoDate('31 Apr 2023')).toBeNull();
    expect(isoDate('01 Foo 2023')).toBeNull();
  });

  it('summaryOf normalizes the header forms', () => {
    expect(summaryOf('a - b', [])).toBe('a - b');
    expect(summaryOf('a -- b', [])).toBe('a - b');
    expect(summaryOf('- a - b', [])).toBe('a - b');
    expect(
      summaryOf('- b', [{ line: 1, release: 'r', package: 'p', version: '1', status: null, note: null }]),
    ).toBe('p - b');
    expect(summaryOf('', [])).toBe('');
  });

  it('orders aliases by year and number', () => {
    const text =
      '[02 Jan 2020] DSA-9999-1 foo - x\n\t{CVE-2023-10000 CVE-2022-5555 CVE-2023-9999 CVE-2022-5555}\n';
    expect(parseDebianList(text, 'x', 'debian-dsa').records[0]?.aliases).toEqual([
      'CVE-2022-5555',
      'CVE-2023-9999',
      'CVE-2023-10000',
    ]);
  });
});
