/**
 * Differential test of the rpm scheme against the real rpm of this machine
 * (`rpm.vercmp` in rpm's Lua: rpmverParse + rpmverCmp, i.e. full EVR strings).
 * Real versions come from the shared fixtures; seeded mutations of them make
 * the close pairs where ordering bugs hide. Force a seed with
 * PATCHLOOP_TEST_SEED.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { expectedOrdering, fixturePath, readCsv, readFixture } from '@patchloop/test-support';
import { rpmCompare, rpmOracleAvailable, type Pair } from '../../test/native-oracle.js';
import { createRng, mutateVersion, testSeed, type Rng } from '../../test/random.js';
import { parseNevra } from './nevra.js';
import { rpm } from './rpm.js';

const TABLES: readonly (readonly string[])[] = [
  ['version-compare', 'rpm', 'rpmvercmp.csv'],
  ['version-compare', 'rpm', 'rpmvercmp_disabled_oddities.csv'],
  ['version-compare', 'rpm', 'claircore', 'claircore_rpmvercmp.csv'],
  ['version-compare', 'osv-scalibr-semantic', 'redhat-versions.csv'],
];

interface Row {
  readonly table: string;
  readonly left: string;
  readonly right: string;
  readonly expected: -1 | 0 | 1;
}

function tableRows(): Row[] {
  return TABLES.flatMap((parts) =>
    readCsv(...parts).map((r) => ({
      table: parts[parts.length - 1] ?? '',
      left: r.left ?? '',
      right: r.right ?? '',
      expected: expectedOrdering(r.expected ?? ''),
    })),
  );
}

/** The EVR of a NEVRA string, or null when it does not parse. */
function evrOf(nevra: string): string | null {
  try {
    return rpm.format(parseNevra(nevra));
  } catch {
    return null;
  }
}

/** Real RPM versions from the fixtures: tables, inventories, AlmaLinux advisories. */
function realVersions(): string[] {
  const found = new Set<string>();
  const add = (v: string | null | undefined): void => {
    if (typeof v === 'string' && v !== '') found.add(v);
  };
  for (const row of tableRows()) {
    add(row.left);
    add(row.right);
  }
  for (const r of readCsv('version-compare', 'rpm', 'claircore', 'claircore_nevra_compare.csv')) {
    add(evrOf(r.left ?? ''));
    add(evrOf(r.right ?? ''));
  }
  for (const line of readFixture('version-compare', 'rpm', 'claircore', 'parse').split('\n')) {
    if (line.trim() !== '' && !line.startsWith('#')) add(evrOf(line.trim().split(/\s+/)[0] ?? ''));
  }

  const raw = fixturePath('inventories', 'raw');
  for (const file of readdirSync(raw).filter((f) => f.endsWith('.rpm-manifest.json'))) {
    const manifest = JSON.parse(readFileSync(`${raw}/${file}`, 'utf8')) as {
      rpms: Record<string, string | undefined>[];
    };
    for (const p of manifest.rpms) {
      if (p.version !== undefined && p.release !== undefined) add(`${p.version}-${p.release}`);
      add(evrOf(p.nerva ?? ''));
      add(evrOf(p.srpm_nevra ?? ''));
    }
  }

  const normalized = fixturePath('inventories', 'normalized');
  for (const file of readdirSync(normalized).filter((f) => f.endsWith('.csv'))) {
    for (const row of readCsv('inventories', 'normalized', file)) {
      if (row.ecosystem !== 'rpm') continue;
      add(row.version);
      add(row.source_version);
    }
  }

  const alma = fixturePath('osv-almalinux', 'almalinux9');
  for (const file of readdirSync(alma).filter((f) => f.endsWith('.json'))) {
    const advisory = JSON.parse(readFileSync(`${alma}/${file}`, 'utf8')) as {
      affected?: { ranges?: { events?: Record<string, string>[] }[] }[];
    };
    for (const affected of advisory.affected ?? []) {
      for (const range of affected.ranges ?? []) {
        for (const event of range.events ?? []) {
          add(event.fixed);
          add(event.introduced);
          add(event.last_affected);
        }
      }
    }
  }
  return [...found].filter((v) => rpm.validate(v) === null && !/\s/.test(v)).sort();
}

const ALPHABET = '0123456789abcdefgprxyzABZ.-~^_+:é';
const SUFFIXES = [
  '.el9_2',
  '~rc1',
  '^20240101git',
  '-1.el8',
  '.fc39',
  '.el9',
  '-0',
  '-',
  '~',
  '~~',
  '^',
  '^git1~pre',
  '.1',
  'a',
  'p1',
  '_1',
  '+git',
  '.module+el9.4.0+23026+aaa2e3cb',
  '.0.1.el7',
];
const EPOCHS = ['0:', '1:', '2:', '10:', '01:', ':', '000:'];

interface Mutant {
  readonly base: string;
  readonly version: string;
}

function mutate(rng: Rng, base: string): string {
  let v = mutateVersion(rng, base, ALPHABET, SUFFIXES);
  if (rng.chance(0.15)) v = rng.pick(EPOCHS) + v;
  if (rng.chance(0.1)) v = mutateVersion(rng, v, ALPHABET, SUFFIXES);
  return v;
}

function buildPairs(rng: Rng, bases: readonly string[]): { mutants: number; pairs: Pair[] } {
  const mutants: Mutant[] = [];
  for (let tries = 0; mutants.length < 22_000 && tries < 200_000; tries++) {
    const base = rng.pick(bases);
    const version = mutate(rng, base);
    if (rpm.validate(version) === null && !/\s/.test(version)) mutants.push({ base, version });
  }
  const byBase = new Map<string, string[]>();
  for (const m of mutants) {
    const list = byBase.get(m.base);
    if (list === undefined) byBase.set(m.base, [m.version]);
    else list.push(m.version);
  }
  const all = [...bases, ...mutants.map((m) => m.version)];

  const pairs: Pair[] = [];
  while (pairs.length < 26_000) {
    const m = rng.pick(mutants);
    const roll = rng.next();
    if (roll < 0.45) {
      pairs.push(rng.chance(0.5) ? [m.base, m.version] : [m.version, m.base]);
    } else if (roll < 0.75) {
      pairs.push([m.version, rng.pick(byBase.get(m.base) ?? [m.base])]);
    } else if (roll < 0.9) {
      pairs.push([rng.pick(all), rng.pick(all)]);
    } else {
      const v = rng.pick(all);
      pairs.push([v, v]);
    }
  }
  return { mutants: mutants.length, pairs };
}

function disagreements(pairs: readonly Pair[], native: readonly (-1 | 0 | 1)[]): string[] {
  const wrong: string[] = [];
  pairs.forEach(([a, b], i) => {
    const ours = rpm.compare(a, b);
    if (ours !== native[i]) wrong.push(`${a} vs ${b}: rpm ${native[i]}, ours ${ours}`);
  });
  return wrong;
}

describe.skipIf(!rpmOracleAvailable())('rpm versions: differential against rpm 4.18', () => {
  it('the oracle itself answers every fixture table row as the tables say', () => {
    const rows = tableRows();
    const native = rpmCompare(rows.map((r) => [r.left, r.right] as const));
    const wrong = rows
      .map((r, i) => ({ r, got: native[i] }))
      .filter(({ r, got }) => got !== r.expected)
      .map(({ r, got }) => `${r.table}: ${r.left} vs ${r.right}: table ${r.expected}, rpm ${got}`);
    // Every row, the 12 "disabled oddities" included, is what rpm 4.18.0 answers.
    expect(wrong).toEqual([]);
    expect(
      disagreements(
        rows.map((r) => [r.left, r.right] as const),
        native,
      ),
    ).toEqual([]);
  });

  it('agrees with rpm on 26,000 pairs of real and mutated versions', () => {
    const seed = testSeed();
    const rng = createRng(seed);
    const bases = realVersions();
    expect(bases.length).toBeGreaterThan(1_000);
    const { mutants, pairs } = buildPairs(rng, bases);
    console.log(
      `rpm differential seed=${seed} pairs=${pairs.length} (real versions=${bases.length}, mutants=${mutants})`,
    );
    expect(mutants).toBeGreaterThanOrEqual(20_000);
    const native = rpmCompare(pairs);
    const wrong = disagreements(pairs, native);
    if (wrong.length > 0) {
      console.log(`seed=${seed}: ${wrong.length} disagreements\n${wrong.slice(0, 20).join('\n')}`);
    }
    expect(wrong.slice(0, 20)).toEqual([]);
    // The comparisons are not trivially one-sided.
    const counts = [-1, 0, 1].map((o) => native.filter((n) => n === o).length);
    expect(Math.min(...counts)).toBeGreaterThan(1_000);
  }, 30_000);
});
