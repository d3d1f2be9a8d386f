import { describe, expect, it } from 'vitest';
import { expectedOrdering, readCsv } from '@patchloop/test-support';
import { createRng, mutateVersion, testSeed } from '../../test/random.js';
import { compareDebianLenient, debian } from './debian.js';
import { VersionError } from './scheme.js';

const lenientRows: string[] = [];

/** Runs every row of a comparison table; reports all mismatches at once. */
function checkTable(rows: Record<string, string>[]): string[] {
  const wrong: string[] = [];
  for (const row of rows) {
    const left = row.left ?? '';
    const right = row.right ?? '';
    const want = expectedOrdering(row.expected ?? '');
    // apt's table has a few versions dpkg only warns about ("a", "III-alpha9.8"):
    // those rows are compared the way `dpkg --compare-versions` compares them.
    const strict = debian.validate(left) === null && debian.validate(right) === null;
    if (!strict) lenientRows.push(`${left} ${right}`);
    const cmp = strict ? debian.compare : compareDebianLenient;
    const got = cmp(left, right);
    const back = cmp(right, left);
    const parsed = strict ? debian.compareParsed(debian.parse(left), debian.parse(right)) : got;
    if (got !== want || back !== (want === 0 ? 0 : -want) || parsed !== want) {
      wrong.push(`${left} vs ${right}: want ${want}, got ${got} (reverse ${back}, parsed ${parsed})`);
    }
  }
  return wrong;
}

describe('debian versions: fixture tables', () => {
  it('agrees with every dpkg and apt test row (dpkg_version_compare.csv)', () => {
    const rows = readCsv('version-compare', 'dpkg', 'dpkg_version_compare.csv');
    expect(rows.length).toBe(121);
    expect(checkTable(rows)).toEqual([]);
    // Exactly these rows need the lenient comparison; strict validation rejects them.
    expect([...new Set(lenientRows)].sort()).toEqual([
      '0:a-0 0:b-0',
      '0:b-0 0:a-0',
      'III-alpha9.8 III-alpha9.8-1.5',
      'a .',
      'z .',
    ]);
  });

  it("agrees with osv-scalibr's Debian tables (hand-written and generated)", () => {
    const hand = readCsv('version-compare', 'osv-scalibr-semantic', 'debian-versions.csv');
    const generated = readCsv('version-compare', 'osv-scalibr-semantic', 'debian-versions-generated.csv');
    expect(hand.length + generated.length).toBeGreaterThan(14_000);
    expect(checkTable(hand)).toEqual([]);
    expect(checkTable(generated)).toEqual([]);
  });

  it('accepts and rejects exactly what dpkg does (dpkg_version_validity.csv)', () => {
    const rows = readCsv('version-compare', 'dpkg', 'dpkg_version_validity.csv');
    expect(rows.length).toBe(36);
    const wrong = rows.filter((r) => (debian.validate(r.version ?? '') === null) !== (r.valid === 'true'));
    expect(
      wrong.map((r) => `${JSON.stringify(r.version)} valid=${r.valid}: ${debian.validate(r.version ?? '')}`),
    ).toEqual([]);
  });
});

describe('debian versions: semantics', () => {
  it.each([
    ['1.0~rc1-1', '1.0-1', -1, 'tilde sorts before the end of the string'],
    ['1.0~~a', '1.0~', -1, 'double tilde sorts before a single tilde'],
    ['1:0.9', '2.0', 1, 'epoch wins over upstream'],
    ['1.1.1n-0+deb11u4', '1.1.1n-0+deb11u5', -1, 'security update suffixes compare numerically'],
    ['2.36-9+deb12u4', '2.36-9+deb12u10', -1, 'u10 is after u4'],
    ['1.0-1+b1', '1.0-1', 1, 'a binNMU sorts after its source version'],
    ['1.0a', '1.0+', -1, 'letters sort before non-letters'],
    ['1.0', '1.0-0', 0, 'a missing revision equals revision 0'],
    ['0:1.0', '1.0', 0, 'epoch 0 is the default'],
    ['1.010', '1.10', 0, 'leading zeros do not count'],
    ['7.88.1-10+deb12u5', '7.88.1-10+deb12u12', -1, 'real curl updates'],
  ] as const)('%s vs %s = %i (%s)', (a, b, want, _why) => {
    expect(debian.compare(a, b)).toBe(want);
    expect(debian.compare(b, a)).toBe(want === 0 ? 0 : -want);
  });

  it('parses epoch, upstream and revision, and formats them back', () => {
    expect(debian.parse('2:1.2-3-4')).toEqual({ epoch: 2, upstream: '1.2-3', revision: '4' });
    expect(debian.parse('1.2')).toEqual({ epoch: 0, upstream: '1.2', revision: '' });
    expect(debian.parse('  1.2-1 ')).toEqual({ epoch: 0, upstream: '1.2', revision: '1' });
    for (const v of ['2:1.2-3-4', '1.2', '1:1.0:1.0', '0.9~rc1+dfsg-1+deb10u2']) {
      expect(debian.format(debian.parse(v))).toBe(v);
    }
    expect(debian.format(debian.parse('0:1.0-0'))).toBe('1.0-0');
  });

  it('throws a typed PL_VERSION_INVALID error naming the reason', () => {
    expect(() => debian.compare('1.0', 'foo')).toThrowError(VersionError);
    try {
      debian.parse('1.0-');
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(VersionError);
      expect((e as VersionError).code).toBe('PL_VERSION_INVALID');
      expect((e as VersionError).reason).toBe('revision number is empty');
      expect((e as VersionError).message).toBe('invalid debian version "1.0-": revision number is empty');
    }
    expect(debian.validate('a:1')).toBe('epoch in version is empty');
    expect(debian.validate('1a:1')).toBe('epoch in version is not number');
    expect(debian.validate('3000000000:1')).toBe('epoch in version is too big');
    // dpkg's C parser takes a signed epoch, apt and Dpkg::Version do not: strict rejects it,
    // the lenient comparison follows dpkg --compare-versions.
    expect(debian.validate('+1:1.0')).toBe('epoch in version is not number');
    expect(compareDebianLenient('+1:003.1', '1:3.1')).toBe(0);
    expect(() => compareDebianLenient('1.0', '1.0-')).toThrowError(VersionError);
  });
});

describe('debian versions: the fast path of compare() accepts exactly what validate() accepts', () => {
  it('on 30,000 seeded mutations, valid and invalid', () => {
    const seed = testSeed();
    const rng = createRng(seed);
    console.log(`debian fast-path seed=${seed}`);
    const bases = readCsv('version-compare', 'dpkg', 'dpkg_version_validity.csv').map((r) => r.version ?? '');
    bases.push('1:2.36-9+deb12u4', '0.9~rc1+dfsg-1+deb10u2', '2:1.0-1', '1.0', '12345678901:1');
    const disagree: string[] = [];
    for (let i = 0; i < 30_000; i++) {
      const v = mutateVersion(rng, rng.pick(bases), '0123456789az.+~:- @', ['-', ':', '-1', ' ', '~']);
      const valid = debian.validate(v) === null;
      let compared: boolean;
      try {
        debian.compare(v, '1.0');
        compared = true;
      } catch {
        compared = false;
      }
      if (compared !== valid) disagree.push(JSON.stringify(v));
      if (valid && debian.compare(v, v) !== 0) disagree.push(`${JSON.stringify(v)} != itself`);
    }
    expect(disagree.slice(0, 20)).toEqual([]);
  });
});
