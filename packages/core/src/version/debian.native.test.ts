/**
 * Differential test: our dpkg ordering against Debian's own implementation on
 * this machine (python3-apt's apt_pkg.version_compare in one batched process,
 * spot-checked against `dpkg --compare-versions`). Versions are real ones from
 * the shared fixtures plus seeded random mutations of them.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fixturePath, readCsv } from '@patchloop/test-support';
import { aptCompare, dpkgCompare, dpkgOracleAvailable, type Pair } from '../../test/native-oracle.js';
import { createRng, mutateVersion, testSeed } from '../../test/random.js';
import { debian } from './debian.js';

function realDebianVersions(): string[] {
  const found = new Set<string>();
  for (const r of readCsv('version-compare', 'dpkg', 'dpkg_version_compare.csv')) {
    found.add(r.left ?? '');
    found.add(r.right ?? '');
  }
  for (const r of readCsv('version-compare', 'osv-scalibr-semantic', 'debian-versions-generated.csv')) {
    found.add(r.left ?? '');
    found.add(r.right ?? '');
  }
  const inv = fixturePath('inventories', 'normalized');
  for (const f of readdirSync(inv).filter((n) => n.endsWith('.csv'))) {
    for (const r of readCsv('inventories', 'normalized', f)) {
      if (r.ecosystem === 'deb') {
        found.add(r.version ?? '');
        found.add(r.source_version ?? '');
      }
    }
  }
  for (const list of ['DSA.json', 'DLA.json']) {
    const entries = JSON.parse(readFileSync(fixturePath('debian-security-tracker', list), 'utf8')) as {
      fixed: { fixed_version?: string }[];
    }[];
    for (const e of entries) for (const f of e.fixed) if (f.fixed_version) found.add(f.fixed_version);
  }
  return [...found].filter((v) => debian.validate(v) === null && !/\s/.test(v)).sort();
}

const SUFFIXES = [
  '+deb10u1',
  '+deb12u3',
  '~bpo11+1',
  '+b1',
  '-1',
  '-0ubuntu0.22.04.1',
  '~rc1',
  '+dfsg',
  '.1',
  'a',
  '~~',
  '+really1.0',
];
const ALPHABET = '0123456789abcxyzAZ.+~-:';

describe('debian versions: differential against apt_pkg and dpkg', () => {
  it('has the native oracle (python3-apt, dpkg) installed', () => {
    // Never skipped: scripts/run-tests.js and .ci/run install python3-apt.
    expect(dpkgOracleAvailable()).toBe(true);
  });

  it('agrees with Debian on at least 20,000 pairs of real and mutated versions', () => {
    const seed = testSeed();
    const rng = createRng(seed);
    const real = realDebianVersions();
    expect(real.length).toBeGreaterThan(5_000);

    const versions: string[] = [];
    while (versions.length < 25_000) {
      const base = rng.pick(real);
      const v = rng.chance(0.15) ? base : mutateVersion(rng, base, ALPHABET, SUFFIXES);
      if (debian.validate(v) === null && !/\s/.test(v)) versions.push(v);
    }
    const pairs: Pair[] = [];
    for (let i = 0; i < versions.length; i++) {
      const a = versions[i] as string;
      const roll = rng.next();
      // Mostly near neighbours (a version against its own mutation), some random, some identical.
      const b = roll < 0.6 ? mutateVersion(rng, a, ALPHABET, SUFFIXES) : roll < 0.95 ? rng.pick(versions) : a;
      if (debian.validate(b) === null && !/\s/.test(b)) pairs.push([a, b]);
    }
    console.log(
      `debian differential seed=${seed} pairs=${pairs.length} (PATCHLOOP_TEST_SEED=${seed} repeats it)`,
    );
    expect(pairs.length).toBeGreaterThanOrEqual(20_000);

    const native = aptCompare(pairs);
    const disagree: string[] = [];
    pairs.forEach(([a, b], i) => {
      const ours = debian.compare(a, b);
      if (ours !== native[i]) disagree.push(`${a} ${b}: ours ${ours}, apt_pkg ${native[i]}`);
    });
    expect(disagree.slice(0, 20)).toEqual([]);
    expect(new Set(native).size).toBe(3); // the oracle really answered -1, 0 and 1

    // apt_pkg is itself checked against dpkg on a sample (one process per pair).
    const sample = Array.from({ length: 150 }, () => rng.pick(pairs));
    const dpkgDisagree = sample
      .filter(([a, b]) => dpkgCompare(a, b) !== debian.compare(a, b))
      .map(([a, b]) => `${a} ${b}`);
    expect(dpkgDisagree).toEqual([]);
  });
});
