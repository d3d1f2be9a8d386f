import { describe, expect, it } from 'vitest';
import { expectedOrdering, readCsv, readFixture } from '@patchloop/test-support';
import { createRng, mutateVersion, testSeed } from '../../test/random.js';
import { apk, apkFuzzyMatch, compareApkLenient } from './apk.js';
import { VersionError, type Ordering } from './scheme.js';

type Row = Record<string, string>;

const APK_DIR = ['version-compare', 'apk'] as const;
const SCALIBR_DIR = ['version-compare', 'osv-scalibr-semantic'] as const;

const isValid = (v: string): boolean => apk.validate(v) === null;

interface Outcome {
  left: string;
  right: string;
  want: Ordering;
  got: Ordering;
  /** False when apk-tools (master) rejects either version: compareApkLenient was used. */
  strict: boolean;
}

/**
 * Compares every row both ways. Rows of valid versions go through compare()
 * and compareParsed(); rows where apk-tools deems a version invalid go
 * through compareApkLenient(), which reproduces what apk_version_compare()
 * returns for them (compare() throws PL_VERSION_INVALID on such input).
 */
function runTable(rows: Row[]): { outcomes: Outcome[]; broken: string[] } {
  const outcomes: Outcome[] = [];
  const broken: string[] = [];
  for (const row of rows) {
    const left = row.left ?? '';
    const right = row.right ?? '';
    const want = expectedOrdering(row.expected ?? '');
    const strict = isValid(left) && isValid(right);
    const cmp = strict ? apk.compare : compareApkLenient;
    const got = cmp(left, right);
    const back = cmp(right, left);
    if (back !== -got) broken.push(`not antisymmetric: ${left} ${right}: ${got} / ${back}`);
    if (strict) {
      const parsed = apk.compareParsed(apk.parse(left), apk.parse(right));
      if (parsed !== got) broken.push(`compareParsed ${left} ${right}: ${parsed}, compare ${got}`);
    } else {
      expect(() => apk.compare(left, right)).toThrow(VersionError);
    }
    outcomes.push({ left, right, want, got, strict });
  }
  return { outcomes, broken };
}

const show = (o: Outcome): string => `${o.left} ${o.right} want ${o.want} got ${o.got}`;

describe('apk versions: apk-tools test data (master)', () => {
  it('agrees with every row of apk_version_compare.csv', () => {
    const rows = readCsv(...APK_DIR, 'apk_version_compare.csv');
    expect(rows.length).toBe(738);
    const { outcomes, broken } = runTable(rows);
    expect(broken).toEqual([]);
    expect(outcomes.filter((o) => o.got !== o.want).map(show)).toEqual([]);
    // apk-tools' own table has exactly these rows with a version it rejects
    // ("bc" is two letters, "_foo" no known suffix): compared by compareApkLenient.
    expect(outcomes.filter((o) => !o.strict).map(show)).toEqual([
      '23_foo 4_beta want 1 got 1',
      '1.0 1.0bc want -1 got -1',
    ]);
  });

  it('the CSV tables are exactly the original test/unit/version.data', () => {
    const compare: string[] = [];
    const fuzzy: string[] = [];
    const validity: string[] = [];
    for (const raw of readFixture(...APK_DIR, 'version.data').split('\n')) {
      const line = raw.replace(/#.*/, '').trim();
      if (line === '') continue;
      const parts = line.split(/\s+/);
      if (parts.length === 3) {
        const [a, op, b] = parts as [string, string, string];
        const ord = { '<': -1, '=': 0, '>': 1 }[op];
        if (ord === undefined) fuzzy.push(`${a},${op},${b}`);
        else compare.push(`${a},${b},${ord}`);
      } else if (line === '!') {
        validity.push(',false'); // the empty version
      } else {
        validity.push(line.startsWith('!') ? `${line.slice(1)},false` : `${line},true`);
      }
    }
    const csv = (name: string, cols: string[]): string[] =>
      readCsv(...APK_DIR, name).map((r) => cols.map((c) => r[c] ?? '').join(','));
    expect(csv('apk_version_compare.csv', ['left', 'right', 'expected'])).toEqual(compare);
    expect(csv('apk_version_fuzzy_match.csv', ['left', 'op', 'right'])).toEqual(fuzzy);
    expect(csv('apk_version_validity.csv', ['version', 'valid'])).toEqual(validity);
  });

  it('validates exactly as apk_version_validate (apk_version_validity.csv)', () => {
    const rows = readCsv(...APK_DIR, 'apk_version_validity.csv');
    expect(rows.length).toBe(31);
    const wrong: string[] = [];
    for (const row of rows) {
      const v = row.version ?? '';
      const valid = row.valid === 'true';
      const reason = apk.validate(v);
      if ((reason === null) !== valid) wrong.push(`${JSON.stringify(v)}: ${reason ?? 'valid'}`);
      if (valid) {
        expect(apk.format(apk.parse(v))).toBe(v);
      } else {
        expect(typeof reason).toBe('string');
        expect(() => apk.parse(v)).toThrow(VersionError);
        try {
          apk.parse(v);
        } catch (e) {
          expect(e).toMatchObject({ code: 'PL_VERSION_INVALID', scheme: 'apk', version: v, reason });
        }
      }
    }
    expect(wrong).toEqual([]);
  });

  it('matches the fuzzy operators (apk_version_fuzzy_match.csv)', () => {
    const rows = readCsv(...APK_DIR, 'apk_version_fuzzy_match.csv');
    expect(rows.length).toBe(16);
    for (const row of rows) {
      const op = row.op as '~' | '<~' | '>~' | '!~';
      expect(['~', '<~', '>~', '!~']).toContain(op);
      expect(apkFuzzyMatch(row.left ?? '', op, row.right ?? ''), `${row.left} ${op} ${row.right}`).toBe(true);
    }
  });
});

describe('apk versions: fuzzy operators', () => {
  it('"~" matches on the pattern\'s tokens only', () => {
    expect(apkFuzzyMatch('3.6.12-r3', '~', '3.6')).toBe(true);
    expect(apkFuzzyMatch('3.60', '~', '3.6')).toBe(false);
    expect(apkFuzzyMatch('3.6', '~', '3.6.0')).toBe(false);
    expect(apkFuzzyMatch('3.6', '!~', '3.6.0')).toBe(true);
    expect(apkFuzzyMatch('3.5.9', '<~', '3.6')).toBe(true);
    expect(apkFuzzyMatch('3.6.9', '<~', '3.6')).toBe(true);
    expect(apkFuzzyMatch('3.7', '<~', '3.6')).toBe(false);
    expect(apkFuzzyMatch('3.5', '>~', '3.6')).toBe(false);
    expect(apkFuzzyMatch('3.6_rc1', '>~', '3.6')).toBe(true);
  });

  it('rejects an invalid pattern, as apk rejects such a dependency', () => {
    expect(() => apkFuzzyMatch('1.0', '~', '1.0bc')).toThrow(VersionError);
  });
});

/*
 * osv-scalibr's tables. The generated table (13,979 rows) was produced by apk
 * on real Alpine 3.x releases, which run apk-tools 2.x; the hand-written one
 * mixes apk-tools master expectations with 2.x ones (its comments say which).
 * Every row of two versions apk-tools master accepts agrees with master. The
 * rows that disagree all involve a version master rejects, and on each of them
 * scalibr's expectation is what apk-tools 2.x answers (checked below against
 * apk2xCompare, a transcription of the 2.x tokenizer).
 */
describe('apk versions: osv-scalibr tables', () => {
  it('alpine-versions.csv: all rows of valid versions agree; 12 rows of invalid ones follow 2.x', () => {
    const rows = readCsv(...SCALIBR_DIR, 'alpine-versions.csv');
    expect(rows.length).toBe(778);
    const { outcomes, broken } = runTable(rows);
    expect(broken).toEqual([]);
    const wrong = outcomes.filter((o) => o.got !== o.want);
    expect(wrong.filter((o) => o.strict).map(show)).toEqual([]);
    // Each disagreement, with why master and scalibr (apk-tools 2.x) differ:
    expect(wrong.map(show)).toEqual([
      // 2.x reads a bare "-r" as revision 0; master rejects it, and sorts the
      // invalid token before the revision.
      '1-r 1-r0 want 0 got -1',
      // 2.x accepts empty dotted components ("0..1"); master stops at the
      // first ".", leaving both sides equally invalid.
      '0..1..0 0..1..1 want -1 got 0',
      '0...1...0 0...1...1 want -1 got 0',
      '0...1...0.r1 0...1...0.r2 want -1 got 0',
      '0...1...0r1 0...1...0r2 want -1 got 0',
      '0..8 0...8 want 1 got 0',
      // 2.x accepts ".r2" (an empty component then a letter); master stops at
      // ".r", so both sides are equal up to the invalid token.
      '0.8.21.r2 0.8.21.r1 want 1 got 0',
      // 2.x allows digits after the letter ("p1"); master stops at the digit.
      '6.6.2p1 6.6.2p2 want -1 got 0',
      // 2.x: both end in an invalid "-" token after equal revisions; master
      // rejects "-r" without digits in the second one earlier.
      '1-r0-1 1-r-2 want 0 got 1',
      // 2.x accepts a version that starts with "." or a letter; master
      // rejects the first token, so all such versions compare equal.
      '.2 .1 want 1 got 0',
      'a b want -1 got 0',
      'c b want 1 got 0',
    ]);
    for (const o of wrong) {
      expect(isValid(o.left) && isValid(o.right)).toBe(false);
      expect(apk2xCompare(o.left, o.right), show(o)).toBe(o.want);
    }
  });

  it('alpine-versions-generated.csv: all 13,979 rows agree except 32 "NpN" rows master rejects', () => {
    const rows = readCsv(...SCALIBR_DIR, 'alpine-versions-generated.csv');
    expect(rows.length).toBe(13979);
    const { outcomes, broken } = runTable(rows);
    expect(broken).toEqual([]);
    const wrong = outcomes.filter((o) => o.got !== o.want);
    // Versions such as openssh's "5.7.1p1-r0": a letter followed by digits is
    // valid in apk-tools 2.x (which generated the table) and invalid in master,
    // where both sides stop at the same invalid token and so compare equal.
    expect(wrong.length).toBe(32);
    const letterDigits = /^\d+(\.\d+)*[a-z]\d+-r\d+$/;
    for (const o of wrong) {
      expect(letterDigits.test(o.left) && letterDigits.test(o.right), show(o)).toBe(true);
      expect(o.strict).toBe(false);
      expect(o.got).toBe(0);
      expect(apk2xCompare(o.left, o.right), show(o)).toBe(o.want);
    }
    // And the whole table is what apk-tools 2.x answers.
    expect(outcomes.filter((o) => apk2xCompare(o.left, o.right) !== o.want).map(show)).toEqual([]);
  });
});

/** Every version string in the tables, and the valid ones. */
function allVersions(): { all: string[]; valid: string[] } {
  const set = new Set<string>();
  for (const file of ['apk_version_compare.csv', 'apk_version_fuzzy_match.csv']) {
    for (const r of readCsv(...APK_DIR, file)) set.add(r.left ?? '').add(r.right ?? '');
  }
  for (const r of readCsv(...APK_DIR, 'apk_version_validity.csv')) set.add(r.version ?? '');
  for (const file of ['alpine-versions.csv', 'alpine-versions-generated.csv']) {
    for (const r of readCsv(...SCALIBR_DIR, file)) set.add(r.left ?? '').add(r.right ?? '');
  }
  const all = [...set].sort();
  return { all, valid: all.filter(isValid) };
}

describe('apk versions: properties', () => {
  const { all, valid } = allVersions();

  it('has enough versions to test with', () => {
    expect(valid.length).toBeGreaterThan(10000);
  });

  it('is reflexive, and antisymmetric on sampled pairs (also compareApkLenient on any string)', () => {
    const seed = testSeed();
    console.log(`apk antisymmetry seed=${seed} (PATCHLOOP_TEST_SEED)`);
    const rng = createRng(seed);
    for (const v of valid) expect(apk.compare(v, v)).toBe(0);
    for (const v of all) expect(compareApkLenient(v, v)).toBe(0);
    const bad: string[] = [];
    for (let i = 0; i < 50000; i++) {
      const a = rng.pick(valid);
      const b = rng.pick(valid);
      if (apk.compare(a, b) !== -apk.compare(b, a)) bad.push(`${a} ${b}`);
      const x = rng.pick(all);
      const y = rng.pick(all);
      if (compareApkLenient(x, y) !== -compareApkLenient(y, x)) bad.push(`lenient ${x} ${y}`);
    }
    expect(bad).toEqual([]);
  });

  it('sorts consistently: adjacent pairs and random triples are transitive', () => {
    const seed = testSeed();
    console.log(`apk transitivity seed=${seed} (PATCHLOOP_TEST_SEED)`);
    const rng = createRng(seed);
    const sample: string[] = [];
    for (let i = 0; i < 1500; i++) sample.push(rng.pick(valid));
    // Mutated neighbours exercise leading zeros, letters and suffixes.
    const suffixes = ['_alpha', '_beta2', '_pre1', '_rc3', '_p1', '_git20240101', '~1a2b', '-r1', '-r10'];
    while (sample.length < 2000) {
      const m = mutateVersion(rng, rng.pick(valid), '0123456789.abz_~-r', suffixes);
      if (isValid(m)) sample.push(m);
    }
    const sorted = [...sample].sort(apk.compare);
    const bad: string[] = [];
    for (let i = 0; i + 1 < sorted.length; i++) {
      const a = sorted[i] as string;
      const b = sorted[i + 1] as string;
      if (apk.compare(a, b) > 0) bad.push(`adjacent ${a} > ${b}`);
    }
    for (let n = 0; n < 20000; n++) {
      const [i, j, k] = [rng.int(sorted.length), rng.int(sorted.length), rng.int(sorted.length)].sort(
        (x, y) => x - y,
      ) as [number, number, number];
      const a = sorted[i] as string;
      const b = sorted[j] as string;
      const c = sorted[k] as string;
      const ab = apk.compare(a, b);
      const bc = apk.compare(b, c);
      const ac = apk.compare(a, c);
      if (ab > 0 || bc > 0 || ac > 0) bad.push(`order ${a} ${b} ${c}`);
      if (ab === 0 && bc === 0 && ac !== 0) bad.push(`equality ${a} ${b} ${c}`);
    }
    expect(bad).toEqual([]);
  });

  it('parse → format round-trips every valid version, and compareParsed agrees', () => {
    const seed = testSeed();
    console.log(`apk round-trip seed=${seed} (PATCHLOOP_TEST_SEED)`);
    const rng = createRng(seed);
    for (const v of valid) expect(apk.format(apk.parse(v))).toBe(v);
    for (let i = 0; i < 5000; i++) {
      const a = rng.pick(valid);
      const b = rng.pick(valid);
      expect(apk.compareParsed(apk.parse(a), apk.parse(b))).toBe(apk.compare(a, b));
    }
    for (const v of all) {
      if (isValid(v)) continue;
      expect(() => apk.parse(v)).toThrow(VersionError);
      expect(() => apk.compare(v, '1.0')).toThrow(VersionError);
      expect(() => apk.compare('1.0', v)).toThrow(VersionError);
    }
  });
});

describe('apk versions: parse and edge cases', () => {
  it('parses every part', () => {
    const v = apk.parse('1.02.3b_alpha_p2~0abc12-r4');
    expect(v).toMatchObject({
      numbers: ['1', '02', '3'],
      letter: 'b',
      suffixes: [
        { name: 'alpha', number: null },
        { name: 'p', number: '2' },
      ],
      hash: '0abc12',
      revision: '4',
    });
    expect(v.tokens.map((t) => t.text)).toEqual(['1', '02', '3', 'b', 'alpha', 'p', '2', '0abc12', '4']);
    expect(apk.format(v)).toBe('1.02.3b_alpha_p2~0abc12-r4');
    expect(apk.parse('2')).toMatchObject({
      numbers: ['2'],
      letter: null,
      suffixes: [],
      hash: null,
      revision: null,
    });
  });

  it('orders suffixes, letters, hashes and revisions as apk does', () => {
    const ascending = [
      '1.0_alpha',
      '1.0_alpha1',
      '1.0_beta',
      '1.0_pre',
      '1.0_rc2',
      '1.0',
      '1.0-r0',
      '1.0-r1',
      '1.0_cvs',
      '1.0_svn',
      '1.0_git',
      '1.0_hg',
      '1.0_p',
      '1.0_p1',
      '1.0a',
      '1.0b',
      '1.00',
      '1.01',
      '1.1',
      '1.1~00ff',
      '1.1~0100',
      '1.1~0100-r1',
      '1.2',
    ];
    for (let i = 0; i + 1 < ascending.length; i++) {
      const a = ascending[i] as string;
      const b = ascending[i + 1] as string;
      expect(apk.compare(a, b), `${a} < ${b}`).toBe(-1);
    }
    // A leading zero makes a dotted component a string; the first stays numeric.
    expect(apk.compare('1.09', '1.010')).toBe(1);
    expect(apk.compare('01.1', '1.1')).toBe(0);
    expect(apk.compare('1.0-r01', '1.0-r1')).toBe(0);
  });

  it('reads numbers as apk does, unsigned 64-bit with wrap-around', () => {
    expect(apk.compare('1.18446744073709551615', '1.18446744073709551614')).toBe(1);
    expect(apk.compare('1.18446744073709551616', '1.1')).toBe(-1); // 2^64 wraps to 0
    expect(apk.compare('18446744073709551617', '1')).toBe(0); // 2^64 + 1 wraps to 1
    expect(apk.compare('1_p99999999999999999999', '1_p1')).toBe(1); // 1e20 mod 2^64
  });

  it('compare() throws PL_VERSION_INVALID naming the invalid side, even for equal strings', () => {
    expect(() => apk.compare('1.0bc', '1.0bc')).toThrow(VersionError);
    expect(() => apk.compare('1.0', '1.0-r')).toThrow(expect.objectContaining({ version: '1.0-r' }));
    expect(() => apk.compare('2.0x1', '1.0')).toThrow(
      expect.objectContaining({ code: 'PL_VERSION_INVALID', version: '2.0x1' }),
    );
    expect(compareApkLenient('1.0bc', '1.0bc')).toBe(0);
  });

  it('explains what is wrong', () => {
    expect(apk.validate('')).toBe('empty version');
    expect(apk.validate('v1.0')).toBe('must start with a digit');
    expect(apk.validate('1.0_foo')).toContain('"_foo" at offset 3 is not a suffix');
    expect(apk.validate('1.0~')).toContain('hex');
    expect(apk.validate('1.0-r')).toContain('needs digits');
    expect(apk.validate('1.0-1')).toContain('revision');
    expect(apk.validate('1.0 ')).toContain('unexpected character " "');
  });
});

/*
 * apk-tools 2.x (src/version.c on the 2.x branches, used by Alpine 3.0 to
 * 3.22), transcribed for the tests only: it explains the scalibr rows that
 * disagree with master. Tokens are read one value at a time; a dotted
 * component's leading zeros are a separate token worth -(count), an invalid
 * token has kind -1 (before every other kind), numbers are C ints.
 */
const K_INVALID = -1;
const K_DIGIT_OR_ZERO = 0;
const K_DIGIT = 1;
const K_LETTER = 2;
const K_SUFFIX = 3;
const K_SUFFIX_NO = 4;
const K_REVISION = 5;
const K_END = 6;
const PRE_SUFFIXES = ['alpha', 'beta', 'pre', 'rc'];
const POST_SUFFIXES = ['cvs', 'svn', 'git', 'hg', 'p'];

interface Cursor {
  s: string;
  p: number;
  kind: number;
}

const digitAt = (s: string, i: number): boolean => s.charCodeAt(i) >= 48 && s.charCodeAt(i) <= 57;
const lowerAt = (s: string, i: number): boolean => s.charCodeAt(i) >= 97 && s.charCodeAt(i) <= 122;

function next2x(c: Cursor): void {
  let n = K_INVALID;
  if (c.p >= c.s.length) n = K_END;
  else if ((c.kind === K_DIGIT || c.kind === K_DIGIT_OR_ZERO) && lowerAt(c.s, c.p)) n = K_LETTER;
  else if (c.kind === K_LETTER && digitAt(c.s, c.p)) n = K_DIGIT;
  else if (c.kind === K_SUFFIX && digitAt(c.s, c.p)) n = K_SUFFIX_NO;
  else {
    const ch = c.s[c.p];
    if (ch === '.') n = K_DIGIT_OR_ZERO;
    else if (ch === '_') n = K_SUFFIX;
    else if (ch === '-' && c.s[c.p + 1] === 'r') {
      n = K_REVISION;
      c.p++;
    }
    c.p++;
  }
  const allowed =
    (n === K_DIGIT_OR_ZERO && c.kind === K_DIGIT) ||
    (n === K_SUFFIX && c.kind === K_SUFFIX_NO) ||
    (n === K_DIGIT && c.kind === K_LETTER);
  c.kind = n < c.kind && !allowed ? K_INVALID : n;
}

function get2x(c: Cursor): number {
  const s = c.s;
  if (c.p >= s.length) {
    c.kind = K_END;
    return 0;
  }
  let v = 0;
  let i = 0;
  let nextKind = K_INVALID;
  const suffixAt = (list: string[]): number => list.findIndex((x) => s.startsWith(x, c.p));
  if (c.kind === K_DIGIT_OR_ZERO && s[c.p] === '0') {
    while (s[c.p + i] === '0') i++;
    nextKind = K_DIGIT;
    v = -i;
  } else if ([K_DIGIT_OR_ZERO, K_DIGIT, K_SUFFIX_NO, K_REVISION].includes(c.kind)) {
    for (; digitAt(s, c.p + i); i++) v = (Math.imul(v, 10) + s.charCodeAt(c.p + i) - 48) | 0;
  } else if (c.kind === K_LETTER) {
    v = s.charCodeAt(c.p);
    i = 1;
  } else if (c.kind === K_SUFFIX && suffixAt(PRE_SUFFIXES) >= 0) {
    const k = suffixAt(PRE_SUFFIXES);
    v = k - PRE_SUFFIXES.length;
    i = (PRE_SUFFIXES[k] as string).length;
  } else if (c.kind === K_SUFFIX && suffixAt(POST_SUFFIXES) >= 0) {
    v = suffixAt(POST_SUFFIXES);
    i = (POST_SUFFIXES[v] as string).length;
  } else {
    c.kind = K_INVALID;
    return -1;
  }
  c.p += i;
  if (c.p >= s.length) c.kind = K_END;
  else if (nextKind !== K_INVALID) c.kind = nextKind;
  else next2x(c);
  return v;
}

function apk2xCompare(a: string, b: string): Ordering {
  const x: Cursor = { s: a, p: 0, kind: K_DIGIT };
  const y: Cursor = { s: b, p: 0, kind: K_DIGIT };
  let av = 0;
  let bv = 0;
  while (x.kind === y.kind && x.kind !== K_END && x.kind !== K_INVALID && av === bv) {
    av = get2x(x);
    bv = get2x(y);
  }
  if (av !== bv) return av < bv ? -1 : 1;
  if (x.kind === y.kind) return 0;
  if (x.kind === K_SUFFIX && get2x({ ...x }) < 0) return -1;
  if (y.kind === K_SUFFIX && get2x({ ...y }) < 0) return 1;
  return x.kind > y.kind ? -1 : 1;
}

describe('apk versions: apk-tools 2.x differences (Alpine 3.0 to 3.22)', () => {
  it('the 2.x transcription disagrees with master only where master fixed 2.x', () => {
    const rows = readCsv(...APK_DIR, 'apk_version_compare.csv');
    const differ = rows
      .filter((r) => apk2xCompare(r.left ?? '', r.right ?? '') !== expectedOrdering(r.expected ?? ''))
      .map((r) => `${r.left} ${r.right}`);
    expect(differ).toEqual([
      // numbers over 2^31 overflow 2.x's int
      '1.0.0_pre20191002222144-r0 1.0.0_pre20210530193627-r0',
      // 2.x: after an all-zero component the suffix is not seen: 6.0_pre1 > 6.0
      '6.0_pre1 6.0',
      // 2.x: leading zeros count -(zeros): 8.2.0 > 8.2.001
      '8.2.0 8.2.001',
      '8.2.0015 8.2.002',
      // 2.x has no ~hash token
      '1.0~1234 1.0~2345',
      '1.0~1234-r1 1.0~2345-r0',
      '1.0~1234-r1 1.0~1234-r0',
    ]);
    // Realistic versions where Alpine 3.x (apk 2.x) and master disagree.
    expect(apk2xCompare('1.0_rc1', '1.0')).toBe(1);
    expect(apk.compare('1.0_rc1', '1.0')).toBe(-1);
    expect(apk2xCompare('1.0', '1.00')).toBe(1);
    expect(apk.compare('1.0', '1.00')).toBe(-1);
  });
});
