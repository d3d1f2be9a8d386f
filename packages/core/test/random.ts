/**
 * Test support: a small seeded PRNG (mulberry32) so that differential tests
 * are reproducible. The seed is logged by each test and can be forced with
 * PATCHLOOP_TEST_SEED.
 */
export interface Rng {
  readonly seed: number;
  next(): number;
  int(maxExclusive: number): number;
  pick<T>(items: readonly T[]): T;
  chance(p: number): boolean;
}

export function testSeed(): number {
  const forced = process.env.PATCHLOOP_TEST_SEED;
  if (forced !== undefined && forced !== '') return Number(forced) >>> 0;
  return (Date.now() ^ (process.pid << 16)) >>> 0;
}

export function createRng(seed: number): Rng {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    seed,
    next,
    int: (max) => Math.floor(next() * max),
    pick: (items) => {
      if (items.length === 0) throw new Error('pick from empty list');
      return items[Math.floor(next() * items.length)] as (typeof items)[number];
    },
    chance: (p) => next() < p,
  };
}

/**
 * Mutates a real version string into a nearby one: digit changes, inserted
 * separators and tildes, appended distro suffixes, dropped characters. Result
 * may be invalid for the scheme; callers filter with the scheme's validator.
 */
export function mutateVersion(rng: Rng, v: string, alphabet: string, suffixes: readonly string[]): string {
  let s = v;
  const steps = 1 + rng.int(3);
  for (let i = 0; i < steps; i++) {
    const pos = rng.int(s.length + 1);
    switch (rng.int(8)) {
      case 0: // change one digit
      case 1: {
        const digits = [...s].map((c, j) => (c >= '0' && c <= '9' ? j : -1)).filter((j) => j >= 0);
        if (digits.length === 0) break;
        const j = rng.pick(digits);
        s = s.slice(0, j) + String(rng.int(10)) + s.slice(j + 1);
        break;
      }
      case 2: // insert a character of the scheme's alphabet
        s = s.slice(0, pos) + rng.pick([...alphabet]) + s.slice(pos);
        break;
      case 3: // append a realistic suffix
        s += rng.pick(suffixes);
        break;
      case 4: // drop a character
        if (s.length > 1) s = s.slice(0, pos) + s.slice(pos + 1);
        break;
      case 5: // leading zeros / longer numbers
        s = s.slice(0, pos) + rng.pick(['0', '00', '10', '99', '1000']) + s.slice(pos);
        break;
      case 6: // truncate
        if (s.length > 2) s = s.slice(0, Math.max(1, pos));
        break;
      default: // duplicate a segment
        s = s.slice(0, pos) + s.slice(Math.max(0, pos - 3), pos) + s.slice(pos);
    }
  }
  return s;
}
