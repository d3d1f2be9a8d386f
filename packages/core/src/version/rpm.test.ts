import { describe, expect, it } from 'vitest';
import { expectedOrdering, readCsv, readFixture } from '@patchloop/test-support';
import { PatchloopError } from '../error/codes.js';
import { compareNevra, formatNevra, parseNevra, validateNevra } from './nevra.js';
import { rpm, rpmvercmp } from './rpm.js';
import { VersionError, type Ordering } from './scheme.js';

type Cmp = (a: string, b: string) => Ordering;

/** Runs every row of a comparison table both ways; returns all mismatches. */
function checkTable(rows: Record<string, string>[], cmp: Cmp, parsed = true): string[] {
  const wrong: string[] = [];
  for (const row of rows) {
    const left = row.left ?? '';
    const right = row.right ?? '';
    const want = expectedOrdering(row.expected ?? '');
    const got = cmp(left, right);
    const back = cmp(right, left);
    const viaParsed = parsed ? rpm.compareParsed(rpm.parse(left), rpm.parse(right)) : got;
    if (got !== want || back !== -want || viaParsed !== want) {
      wrong.push(`${left} vs ${right}: want ${want}, got ${got} (reverse ${back}, parsed ${viaParsed})`);
    }
  }
  return wrong;
}

describe('rpm versions: fixture tables', () => {
  it("agrees with every active row of rpm's own rpmvercmp.at (rpm.vercmp, full EVR)", () => {
    const rows = readCsv('version-compare', 'rpm', 'rpmvercmp.csv');
    expect(rows.length).toBe(91);
    expect(checkTable(rows, rpm.compare)).toEqual([]);
  });

  it('agrees with the "disabled oddities" of rpmvercmp.at as real rpm 4.18 answers them', () => {
    // rpm's suite disables these rows (1b.fc17 vs 1.fc17, Greek letters) as
    // questionable behaviour, not as wrong expectations: `rpm.vercmp` on
    // rpm 4.18.0 returns exactly the CSV value for all 12 (checked by the native
    // test, which runs the oracle over every fixture row). Non-ASCII letters are
    // separators, so "1.1.α" == "1.1.ββ".
    const rows = readCsv('version-compare', 'rpm', 'rpmvercmp_disabled_oddities.csv');
    expect(rows.length).toBe(12);
    expect(checkTable(rows, rpm.compare)).toEqual([]);
  });

  it("agrees with claircore's rpmvercmp table (raw segment comparison)", () => {
    const rows = readCsv('version-compare', 'rpm', 'claircore', 'claircore_rpmvercmp.csv');
    expect(rows.length).toBe(113);
    expect(checkTable(rows, rpmvercmp, false)).toEqual([]);
    // None of these rows holds '-' or a leading epoch, so the EVR comparison agrees.
    expect(checkTable(rows, rpm.compare)).toEqual([]);
  });

  it("agrees with osv-scalibr's Red Hat table (full EVR strings)", () => {
    const rows = readCsv('version-compare', 'osv-scalibr-semantic', 'redhat-versions.csv');
    expect(rows.length).toBe(165);
    expect(checkTable(rows, rpm.compare)).toEqual([]);
  });

  it("agrees with claircore's NEVRA comparison table", () => {
    const rows = readCsv('version-compare', 'rpm', 'claircore', 'claircore_nevra_compare.csv');
    expect(rows.length).toBe(12);
    const wrong: string[] = [];
    for (const row of rows) {
      const [left, right] = [row.left ?? '', row.right ?? ''];
      const want = expectedOrdering(row.expected ?? '');
      const got = compareNevra(left, right);
      const back = compareNevra(right, left);
      if (got !== want || back !== -want) wrong.push(`${left} vs ${right}: want ${want}, got ${got}/${back}`);
    }
    expect(wrong).toEqual([]);
  });

  it("parses every case of claircore's NEVRA parse table", () => {
    const unquote = (f: string): string | null => (f === "''" || f === '""' ? null : f);
    const lines = readFixture('version-compare', 'rpm', 'claircore', 'parse')
      .split('\n')
      .filter((l) => l.trim() !== '' && !l.startsWith('#'));
    expect(lines.length).toBe(4);
    const wrong: string[] = [];
    for (const line of lines) {
      const [input = '', n = '', e = '', v = '', r = '', a = ''] = line.trim().split(/\s+/);
      const want = {
        name: unquote(n),
        epoch: unquote(e) === null ? null : Number(e),
        version: v,
        release: r,
        arch: unquote(a),
      };
      const got = parseNevra(input);
      if (JSON.stringify(got) !== JSON.stringify(want)) {
        wrong.push(`${input}: want ${JSON.stringify(want)}, got ${JSON.stringify(got)}`);
      }
      if (formatNevra(got) !== input) wrong.push(`${input}: formats as ${formatNevra(got)}`);
    }
    expect(wrong).toEqual([]);
  });
});

describe('rpmvercmp', () => {
  it.each<[string, string, Ordering]>([
    ['1.0', '1.0', 0],
    ['1.0~rc1', '1.0', -1], // tilde sorts before the end of the string
    ['1.0~', '1.0', -1],
    ['1.0~~', '1.0~', -1],
    ['1.0^', '1.0', 1], // caret sorts after the end of the string...
    ['1.0^', '1.0.1', -1], // ...but before anything else
    ['1.0^', '1.0~', 1],
    ['1.0^a', '1.0a', -1],
    ['1.0a', '1.0', 1],
    ['1.0', '1.0.', 0], // trailing separators do not count
    ['1..0', '1.0', 0],
    ['1_0', '1.0', 0],
    ['1.00010', '1.10', 0], // leading zeros
    ['12345678901234567890', '12345678901234567891', -1], // no overflow
    ['1.a', '1.1', -1], // numeric newer than alpha
    ['1.1', '1.a', 1],
    ['a', 'B', 1], // ASCII byte order: upper case first
    ['abc', 'abcd', -1],
    ['1é', '1', 0], // non-ASCII is a separator
    ['1é2', '1.2', 0],
    ['', '', 0],
    ['', '1', -1],
    ['', '~', 1],
    ['', '^', -1],
  ])('rpmvercmp(%j, %j) = %i', (a, b, want) => {
    expect(rpmvercmp(a, b)).toBe(want);
    expect(rpmvercmp(b, a)).toBe(want === 0 ? 0 : -want);
  });
});

describe('rpm EVR', () => {
  it('parses epoch, version and release as rpm 4.18 parseEVR', () => {
    expect(rpm.parse('1:2.0-3.el9')).toEqual({
      epoch: 1,
      version: '2.0',
      release: '3.el9',
    });
    expect(rpm.parse('2.0')).toEqual({
      epoch: null,
      version: '2.0',
      release: null,
    });
    expect(rpm.parse(':2.0')).toEqual({
      epoch: 0,
      version: '2.0',
      release: null,
    });
    expect(rpm.parse('007:2.0')).toEqual({
      epoch: 7,
      version: '2.0',
      release: null,
    });
    expect(rpm.parse('a:1')).toEqual({
      epoch: null,
      version: 'a:1',
      release: null,
    });
    expect(rpm.parse('1:2:3')).toEqual({
      epoch: 1,
      version: '2:3',
      release: null,
    });
    expect(rpm.parse('1.0-2-3')).toEqual({
      epoch: null,
      version: '1.0-2',
      release: '3',
    });
    expect(rpm.parse('1.0-')).toEqual({
      epoch: null,
      version: '1.0',
      release: '',
    });
    expect(rpm.parse('1-2:3')).toEqual({
      epoch: null,
      version: '1',
      release: '2:3',
    });
  });

  it.each<[string, string, Ordering]>([
    ['1:1.0', '2.0', 1],
    ['0:1.0', '1.0', 0], // missing epoch is 0
    [':1.0', '0:1.0', 0], // empty epoch is 0
    ['01:1', '1:1', 0],
    ['1.0-1', '1.0', 1], // a missing release sorts first (rpmverCmp), not "ignored"
    ['1.0', '1.0-', -1], // ...even before an empty release
    ['1.0-', '1.0-0', -1],
    ['1.0-1.el9', '1.0-1.el9_2', -1],
    ['1.0-1.el8', '1.0-1.el9', -1],
    ['2.0~rc1-1', '2.0-1', -1],
    ['9007199254740991:1', '9007199254740990:9', 1],
  ])('compare(%j, %j) = %i', (a, b, want) => {
    expect(rpm.compare(a, b)).toBe(want);
    expect(rpm.compare(b, a)).toBe(want === 0 ? 0 : -want);
    expect(rpm.compareParsed(rpm.parse(a), rpm.parse(b))).toBe(want);
  });

  it.each([
    ['', 'empty version string'],
    ['1.0 1', 'whitespace'],
    [' 1.0', 'whitespace'],
    ['1.0\n', 'whitespace'],
    ['1.0\t', 'whitespace'],
    ['1.0\u00a0', 'whitespace'],
    ['1.0\u3000', 'whitespace'],
    ['1.0\ufeff', 'whitespace'],
    ['1.0\u0000', 'control'],
    ['1.0\u007f', 'control'],
    ['1.0\u0085', 'control'],
    ['1:', 'empty version'],
    ['-1', 'empty version'],
    ['1:-1', 'empty version'],
    ['99999999999999999999:1', 'epoch is too large'],
  ])('rejects %j', (v, reason) => {
    expect(rpm.validate(v)).toContain(reason);
    expect(() => rpm.parse(v)).toThrow(VersionError);
    expect(() => rpm.compare(v, '1.0')).toThrow(VersionError);
    expect(() => rpm.compare('1.0', v)).toThrow(VersionError);
    expect(() => rpm.compare(v, v)).toThrow(VersionError);
    try {
      rpm.parse(v);
    } catch (e) {
      expect((e as VersionError).code).toBe('PL_VERSION_INVALID');
      expect((e as VersionError).scheme).toBe('rpm');
    }
  });

  it.each(['1', '1.0-1', 'a:b', '+2-:', '1.1.α', '~', '^', '1:~-~', '0000000000000000000001:1'])(
    'accepts %j',
    (v) => {
      expect(rpm.validate(v)).toBeNull();
    },
  );

  it('formats to a string that parses back to the same version', () => {
    for (const v of ['1:2.0-3.el9', '2.0', ':2.0', '007:2.0-1', 'a:1', '1.0-', '1.0-2-3']) {
      const p = rpm.parse(v);
      expect(rpm.parse(rpm.format(p))).toEqual(p);
      expect(rpm.compare(rpm.format(p), v)).toBe(0);
    }
    expect(rpm.format(rpm.parse(':2.0'))).toBe('0:2.0');
    expect(rpm.format(rpm.parse('007:2.0-1'))).toBe('7:2.0-1');
  });
});

describe('NEVRA', () => {
  it('parses name, epoch, version, release and a known arch', () => {
    expect(parseNevra('kernel-core-5.14.0-427.13.1.el9_4.x86_64')).toEqual({
      name: 'kernel-core',
      epoch: null,
      version: '5.14.0',
      release: '427.13.1.el9_4',
      arch: 'x86_64',
    });
    expect(parseNevra('openssl-libs-1:3.0.7-27.el9.aarch64')).toMatchObject({
      name: 'openssl-libs',
      epoch: 1,
      arch: 'aarch64',
    });
    // Unknown last segment: part of the release.
    expect(parseNevra('foo-1.0-1.el9')).toMatchObject({
      release: '1.el9',
      arch: null,
    });
    expect(parseNevra('foo-1.0-1.fc39.src')).toMatchObject({
      release: '1.fc39',
      arch: 'src',
    });
  });

  it('accepts the epoch-first form only when unambiguous', () => {
    expect(parseNevra('1:openssl-libs-3.0.7-27.el9.x86_64')).toEqual({
      name: 'openssl-libs',
      epoch: 1,
      version: '3.0.7',
      release: '27.el9',
      arch: 'x86_64',
    });
    expect(parseNevra('0:bash-5.1.8-9.el9.x86_64')).toMatchObject({
      name: 'bash',
      epoch: 0,
    });
    // One '-' after the epoch: an EVR, not epoch-first.
    expect(parseNevra('1:2.0-3')).toEqual({
      name: null,
      epoch: 1,
      version: '2.0',
      release: '3',
      arch: null,
    });
    expect(validateNevra('1:foo-2:1.0-1')).toBe('two epochs');
    // rpm prints "(none)" for a missing %{EPOCH} or %{ARCH}.
    expect(parseNevra('(none):bash-5.1.8-9.el9.x86_64')).toEqual({
      name: 'bash',
      epoch: null,
      version: '5.1.8',
      release: '9.el9',
      arch: 'x86_64',
    });
    expect(parseNevra('(none):5.1.8-9.el9')).toMatchObject({ name: null, epoch: null, version: '5.1.8' });
    expect(parseNevra('gpg-pubkey-ad986da3-5cabf60d.(none)')).toEqual({
      name: 'gpg-pubkey',
      epoch: null,
      version: 'ad986da3',
      release: '5cabf60d',
      arch: null,
    });
    expect(validateNevra('(none):foo-1:1.0-1')).toBe('two epochs');
    expect(compareNevra('1:foo-1.0-1.x86_64', 'foo-1:1.0-1.x86_64')).toBe(0);
  });

  it.each([
    '',
    'foo',
    '-1.0-1',
    'foo-1.0-',
    'foo-1.0-.x86_64',
    'foo--1',
    'a:b-1.0-1',
    'foo bar-1-1',
    'foo-1:-1',
  ])('rejects %j with PL_NEVRA_INVALID', (s) => {
    expect(validateNevra(s)).not.toBeNull();
    expect(() => parseNevra(s)).toThrow(PatchloopError);
    try {
      parseNevra(s);
    } catch (e) {
      expect((e as PatchloopError).code).toBe('PL_NEVRA_INVALID');
    }
  });

  it('orders by name, then EVR, then arch', () => {
    const sorted = [
      'bash-5.1-1.x86_64',
      'bash-5.1-2.i686',
      'bash-5.1-2.x86_64',
      'bash-1:4.0-1.x86_64',
      'zlib-1.2-1.x86_64',
    ];
    const shuffled = [sorted[3], sorted[0], sorted[4], sorted[2], sorted[1]] as string[];
    expect(shuffled.sort(compareNevra)).toEqual(sorted);
    // Names are compared exactly: '-' and '_' are different packages.
    expect(compareNevra('foo_bar-1-1', 'foo-bar-1-1')).not.toBe(0);
  });
});
