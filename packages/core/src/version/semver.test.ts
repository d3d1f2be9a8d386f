import { readFileSync } from 'node:fs';
import nodeSemver from 'semver';
import { describe, expect, it } from 'vitest';
import { expectedOrdering, fixturePath, readCsv } from '@patchloop/test-support';
import { createRng, mutateVersion, testSeed } from '../../test/random.js';
import { VersionError } from './scheme.js';
import { semver, semverLoose } from './semver.js';

interface NodeSemverFixtures {
  comparisons: [string, string, unknown?][];
  equality: [string, string, unknown?][];
  'invalid-versions': [unknown, string, unknown?][];
  'valid-versions': [string, number, number, number, (string | number)[], string[]][];
}

const fixtures = JSON.parse(
  readFileSync(fixturePath('version-compare', 'semver', 'node-semver-fixtures.json'), 'utf8'),
) as NodeSemverFixtures;

/** node-semver fixtures mark loose rows with `true` or `{loose: true}`. */
function isLoose(opt: unknown): boolean {
  return (
    opt === true || (typeof opt === 'object' && opt !== null && (opt as { loose?: unknown }).loose === true)
  );
}

describe('semver: fixture tables', () => {
  it('agrees with every row of semver_compare.csv (node-semver)', () => {
    const rows = readCsv('version-compare', 'semver', 'semver_compare.csv');
    expect(rows.length).toBe(99);
    const wrong = rows.filter((r) => {
      const scheme = r.loose === 'true' ? semverLoose : semver;
      return scheme.compare(r.left ?? '', r.right ?? '') !== expectedOrdering(r.expected ?? '');
    });
    expect(wrong).toEqual([]);
  });

  it("agrees with osv-scalibr's SemVer table", () => {
    const rows = readCsv('version-compare', 'osv-scalibr-semantic', 'semver-versions.csv');
    expect(rows.length).toBe(86);
    // osv-scalibr's table also holds three rows that are not SemVer at all (one
    // or five components, 30-digit numbers). node-semver rejects them and so do
    // we: a SEMVER range in OSV is SemVer 2.0 by definition.
    const notSemver = rows.filter((r) => semverLoose.validate(r.left ?? '') !== null);
    expect(notSemver.map((r) => `${r.left} ${r.right}`)).toEqual([
      '999999999999999999999999999991 999999999999999999999999999999',
      `${'999999999999999999999999999991.'.repeat(2)}999999999999999999999999999991 999999999999999999999999999999.999999999999999999999999999991.999999999999999999999999999991`,
      '1.1.3.4.5 1.1.3.4.5',
    ]);
    for (const r of notSemver) expect(nodeSemver.valid(r.left ?? '', { loose: true })).toBeNull();
    const wrong = rows
      .filter((r) => !notSemver.includes(r))
      .filter((r) => semverLoose.compare(r.left ?? '', r.right ?? '') !== expectedOrdering(r.expected ?? ''));
    expect(wrong).toEqual([]);
  });

  it('orders every node-semver comparison fixture (first is greater)', () => {
    for (const [a, b, opt] of fixtures.comparisons) {
      const s = isLoose(opt) ? semverLoose : semver;
      expect(s.compare(a, b), `${a} > ${b}`).toBe(1);
      expect(s.compare(b, a), `${b} < ${a}`).toBe(-1);
    }
  });

  it('treats every node-semver equality fixture as equal (build metadata ignored)', () => {
    for (const [a, b, opt] of fixtures.equality) {
      const s = isLoose(opt) ? semverLoose : semver;
      expect(s.compare(a, b), `${a} = ${b}`).toBe(0);
    }
  });

  it('parses every valid-versions fixture into its parts', () => {
    for (const [v, major, minor, patch, pre, build] of fixtures['valid-versions']) {
      expect(semver.parse(v)).toEqual({ major, minor, patch, prerelease: pre.map(String), build });
    }
  });

  it('rejects every invalid-versions fixture with PL_VERSION_INVALID', () => {
    for (const [v, why, opt] of fixtures['invalid-versions']) {
      const s = isLoose(opt) ? semverLoose : semver;
      if (typeof v !== 'string') continue; // a regexp or object: not representable as a string input
      expect(s.validate(v), why).not.toBeNull();
      expect(() => s.parse(v)).toThrowError(VersionError);
    }
  });
});

describe('semver: semantics', () => {
  it('orders the SemVer 2.0 specification example', () => {
    const spec = [
      '1.0.0-alpha',
      '1.0.0-alpha.1',
      '1.0.0-alpha.beta',
      '1.0.0-beta',
      '1.0.0-beta.2',
      '1.0.0-beta.11',
      '1.0.0-rc.1',
      '1.0.0',
    ];
    const shuffled = [...spec].reverse();
    expect(shuffled.sort(semver.compare)).toEqual(spec);
  });

  it('compares huge numeric prerelease identifiers exactly', () => {
    expect(semver.compare('1.2.3-9007199254740993', '1.2.3-9007199254740992')).toBe(1);
  });

  it('is strict by default and loose on request', () => {
    expect(semver.validate('=1.2.3')).not.toBeNull();
    expect(semver.validate('01.2.3')).not.toBeNull();
    expect(semverLoose.format(semverLoose.parse('=01.2.3-01'))).toBe('1.2.3-1');
    expect(semver.format(semver.parse('v1.2.3-rc.1+build.5'))).toBe('1.2.3-rc.1+build.5');
  });
});

describe('semver: differential against the semver package', () => {
  it('agrees with node-semver on 20,000 seeded pairs', () => {
    const seed = testSeed();
    const rng = createRng(seed);
    const real = new Set<string>();
    for (const r of readCsv('version-compare', 'semver', 'semver_compare.csv')) {
      if (r.loose === 'false') real.add(r.left ?? '').add(r.right ?? '');
    }
    for (const r of readCsv('version-compare', 'osv-scalibr-semantic', 'semver-versions.csv')) {
      real.add(r.left ?? '').add(r.right ?? '');
    }
    const bases = [...real].filter((v) => semver.validate(v) === null);
    const valid = (v: string) => semver.validate(v) === null && nodeSemver.valid(v) !== null;
    const versions: string[] = [];
    while (versions.length < 20_000) {
      const v = mutateVersion(rng, rng.pick(bases), '0123456789abz.-+', [
        '-rc.1',
        '-alpha',
        '+build.1',
        '.0',
        '-0',
        '-beta.11',
      ]);
      if (valid(v)) versions.push(v);
    }
    console.log(`semver differential seed=${seed} versions=${versions.length}`);
    const wrong: string[] = [];
    for (let i = 0; i < versions.length; i++) {
      const a = versions[i] as string;
      const b = rng.chance(0.5) ? rng.pick(versions) : (versions[i + 1] ?? a);
      const theirs = nodeSemver.compare(a, b);
      if (semver.compare(a, b) !== theirs) wrong.push(`${a} ${b}: node-semver ${theirs}`);
    }
    expect(wrong.slice(0, 20)).toEqual([]);
  });
});
