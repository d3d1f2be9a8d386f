/**
 * Alpine package versions, ordered exactly as apk-tools orders them (src/version.c on master, the
 * apk-tools 3 series):
 *
 *   digits{.digits}...{letter}{_suffix{digits}}...{~hash}{-rdigits}
 *
 * A version is a stream of tokens. Two versions are compared token by token while both streams hold
 * a token of the same kind; the first differing value decides. When the kinds differ (one version
 * ended, or turned invalid), a pre-release suffix (_alpha _beta _pre _rc) sorts before the end and
 * anything else after it: the kind that comes later in the grammar sorts first, and an invalid
 * token sorts before everything. Values, as in version.c: numbers are unsigned 64-bit (longer ones
 * wrap, as apk_blob_pull_uint does); a dotted component starting with "0" in either version is
 * compared as a string ("1.01" < "1.1", "1.0" < "1.00"), as Gentoo does; the ~hash is a string.
 *
 * apk-tools 2.x, which Alpine 3.0 to 3.22 run, differs: see the note at the end of this file.
 * compare() works on the strings with character codes and no allocation (hot path of assessment).
 */
import { VersionError, type Ordering, type VersionScheme } from './scheme.js';

export type ApkSuffixName = 'alpha' | 'beta' | 'pre' | 'rc' | 'cvs' | 'svn' | 'git' | 'hg' | 'p';

/** Token kinds, in apk's order. */
export const ApkToken = {
  InitialDigit: 0,
  Digit: 1,
  Letter: 2,
  Suffix: 3,
  SuffixNumber: 4,
  CommitHash: 5,
  Revision: 6,
} as const;
export type ApkTokenKind = (typeof ApkToken)[keyof typeof ApkToken];

export interface ApkVersionToken {
  readonly kind: ApkTokenKind;
  /** The token's text without its separator ("." "_" "~" "-r"). */
  readonly text: string;
}

export interface ApkVersion {
  /** Dotted number components as written (leading zeros kept). */
  readonly numbers: readonly string[];
  readonly letter: string | null;
  /** Each suffix with the digits written after it (null when none). */
  readonly suffixes: readonly { readonly name: ApkSuffixName; readonly number: string | null }[];
  /** Lowercase hex digits after "~", or null. */
  readonly hash: string | null;
  /** Digits after "-r", or null (no revision sorts before "-r0"). */
  readonly revision: string | null;
  /** The token stream apk compares; format() joins it back. */
  readonly tokens: readonly ApkVersionToken[];
}

const T_INITIAL = 0;
const T_DIGIT = 1;
const T_LETTER = 2;
const T_SUFFIX = 3;
const T_SUFFIX_NO = 4;
const T_HASH = 5;
const T_REVISION = 6;
const T_END = 7;
const T_INVALID = 8;

/** Suffix values; the pre-release ones are below SUF_NONE (index 5), 0 is invalid. */
const SUFFIXES: readonly string[] = ['', 'alpha', 'beta', 'pre', 'rc', '', 'cvs', 'svn', 'git', 'hg', 'p'];
const SUF_NONE = 5;
const SEPARATORS: readonly string[] = ['', '.', '', '_', '', '~', '-r'];

const CH_0 = 48;
const CH_9 = 57;

/** version.c suffix_value(): the suffix named exactly by s[start, end), or 0. */
function suffixValue(s: string, start: number, end: number): number {
  const len = end - start;
  for (let v = 1; len > 0 && v < SUFFIXES.length; v++) {
    const name = SUFFIXES[v] as string;
    if (name.length === len && s.startsWith(name, start)) return v;
  }
  return 0;
}

/** version.c token_first()/token_next() over a string; [start, end) is the token's value. */
class Scanner {
  s = '';
  pos = 0;
  token = T_INVALID;
  /** The token before the current one, and where the current one began (for error messages). */
  prev = T_INVALID;
  at = 0;
  start = 0;
  end = 0;
  suffix = 0;

  first(s: string): void {
    this.s = s;
    this.pos = this.at = 0;
    this.prev = T_INVALID;
    this.token = T_INITIAL;
    this.digits();
  }

  /** Spans characters in [lo, hi] or [lo2, hi2] from pos. */
  private span(lo: number, hi: number, lo2: number, hi2: number): void {
    const s = this.s;
    let p = (this.start = this.pos);
    let c = s.charCodeAt(p);
    while ((c >= lo && c <= hi) || (c >= lo2 && c <= hi2)) c = s.charCodeAt(++p);
    this.end = this.pos = p;
  }

  private digits(): void {
    this.span(CH_0, CH_9, 1, 0);
    if (this.end === this.start) this.token = T_INVALID;
  }

  next(): void {
    const s = this.s;
    const t = (this.prev = this.token);
    this.at = this.pos;
    if (this.pos >= s.length) {
      this.token = T_END;
      return;
    }
    const c = s.charCodeAt(this.pos);
    if (c >= 97 /* a */ && c <= 122 /* z */) {
      // one letter, right after the numbers
      this.start = this.pos;
      this.end = ++this.pos;
      this.token = t > T_DIGIT ? T_INVALID : T_LETTER;
    } else if (c === 46 /* . */ || (c >= CH_0 && c <= CH_9)) {
      // "." and a number after the numbers; digits right after a suffix are its number
      const dot = c === 46;
      if (dot) this.pos++;
      this.token = t <= T_DIGIT ? T_DIGIT : !dot && t === T_SUFFIX ? T_SUFFIX_NO : T_INVALID;
      if (this.token !== T_INVALID) this.digits();
    } else if (c === 95 /* _ */) {
      this.pos++;
      this.span(97 /* a */, 122 /* z */, 1, 0);
      this.suffix = suffixValue(s, this.start, this.end);
      this.token = t > T_SUFFIX_NO || this.suffix === 0 ? T_INVALID : T_SUFFIX;
    } else if (c === 126 /* ~ */) {
      this.pos++;
      this.span(CH_0, CH_9, 97 /* a */, 102 /* f */);
      this.token = t >= T_HASH || this.end === this.start ? T_INVALID : T_HASH;
    } else if (c === 45 /* - */ && t < T_REVISION && s.charCodeAt(this.pos + 1) === 114 /* r */) {
      this.pos += 2;
      this.token = T_REVISION;
      this.digits();
    } else {
      this.token = T_INVALID;
    }
  }
}

const scanA = new Scanner();
const scanB = new Scanner();

/** apk_blob_sort(): memcmp over the common length, then the shorter first. */
function compareBytes(a: string, a0: number, a1: number, b: string, b0: number, b1: number): Ordering {
  const n = Math.min(a1 - a0, b1 - b0);
  for (let i = 0; i < n; i++) {
    const d = a.charCodeAt(a0 + i) - b.charCodeAt(b0 + i);
    if (d !== 0) return d < 0 ? -1 : 1;
  }
  const d = a1 - a0 - (b1 - b0);
  return d < 0 ? -1 : d > 0 ? 1 : 0;
}

/** Numeric comparison of two digit runs, as unsigned 64-bit values with apk's wrap-around. */
function compareNumbers(a: string, a0: number, a1: number, b: string, b0: number, b1: number): Ordering {
  while (a0 < a1 && a.charCodeAt(a0) === CH_0) a0++;
  while (b0 < b1 && b.charCodeAt(b0) === CH_0) b0++;
  const la = a1 - a0;
  const lb = b1 - b0;
  if (la > 19 || lb > 19) {
    // 20 digits or more may exceed 2^64: reduce modulo 2^64 (rare, so BigInt is fine).
    const x = BigInt.asUintN(64, BigInt(a.slice(a0, a1)));
    const y = BigInt.asUintN(64, BigInt(b.slice(b0, b1)));
    return x < y ? -1 : x > y ? 1 : 0;
  }
  if (la !== lb) return la < lb ? -1 : 1;
  return compareBytes(a, a0, a1, b, b0, b1);
}

/** version.c token_cmp() for two tokens of the same kind, given as string ranges. */
function compareToken(kind: number, a: string, a0: number, a1: number, b: string, b0: number, b1: number) {
  switch (kind) {
    case T_DIGIT:
      if (a.charCodeAt(a0) === CH_0 || b.charCodeAt(b0) === CH_0) return compareBytes(a, a0, a1, b, b0, b1);
      return compareNumbers(a, a0, a1, b, b0, b1);
    case T_INITIAL:
    case T_SUFFIX_NO:
    case T_REVISION:
      return compareNumbers(a, a0, a1, b, b0, b1);
    case T_SUFFIX: {
      const d = suffixValue(a, a0, a1) - suffixValue(b, b0, b1);
      return d < 0 ? -1 : d > 0 ? 1 : 0;
    }
    default: // a letter (one character) or a commit hash
      return compareBytes(a, a0, a1, b, b0, b1);
  }
}

/**
 * The end of apk_version_compare_fuzzy(), once the kinds differ. `aPre`/`bPre`: the token is a
 * pre-release suffix. With `fuzzy`, b (the pattern) ending first means a matches.
 */
function compareTail(ta: number, aPre: boolean, tb: number, bPre: boolean, fuzzy: boolean): Ordering {
  if (ta === tb || (tb === T_END && fuzzy)) return 0;
  if (aPre) return -1;
  if (bPre) return 1;
  return ta > tb ? -1 : 1;
}

const isPre = (sc: Scanner): boolean => sc.token === T_SUFFIX && sc.suffix < SUF_NONE;

/** Scans the rest of a version; with `strict`, throws when it is invalid. */
function finish(sc: Scanner, strict: boolean): void {
  if (!strict) return;
  while (sc.token < T_END) sc.next();
  if (sc.token !== T_END) throw new VersionError('apk', sc.s, describeFailure(sc));
}

/** apk_version_compare_fuzzy(); `strict` also validates both versions, in the same pass. */
function compareStrings(a: string, b: string, fuzzy: boolean, strict: boolean): Ordering {
  const x = scanA;
  const y = scanB;
  x.first(a);
  if (a === b) {
    finish(x, strict);
    return 0;
  }
  let r: Ordering = 0;
  for (y.first(b); x.token === y.token && x.token < T_END; x.next(), y.next()) {
    r = compareToken(x.token, a, x.start, x.end, b, y.start, y.end);
    if (r !== 0) break;
  }
  if (r === 0) r = compareTail(x.token, isPre(x), y.token, isPre(y), fuzzy);
  finish(x, strict);
  finish(y, strict);
  return r;
}

/**
 * apk_version_compare() on any two strings, valid or not, exactly as apk-tools master computes it:
 * an invalid version is compared up to its first invalid token, which sorts before every other
 * token. Only for reproducing apk's behaviour on bad data: compare() rejects invalid versions.
 */
export function compareApkLenient(a: string, b: string): Ordering {
  return compareStrings(a, b, false, false);
}

function describeFailure(sc: Scanner): string {
  const { s, at, prev } = sc;
  if (s === '') return 'empty version';
  if (prev === T_INVALID) return 'must start with a digit';
  const ch = s.charAt(at);
  const where = `at offset ${at}`;
  if (ch === '.' && prev <= T_DIGIT) return `"." ${where} must be followed by digits`;
  if (ch === '_' && prev <= T_SUFFIX_NO)
    return `"_${s.slice(sc.start, sc.end)}" ${where} is not a suffix (alpha beta pre rc cvs svn git hg p)`;
  if (ch === '~' && prev < T_HASH) return `"~" ${where} must be followed by lowercase hex digits`;
  if (ch === '-' && prev < T_REVISION && s.charAt(at + 1) === 'r') return `"-r" ${where} needs digits`;
  if (ch === '-' && prev < T_REVISION) return `"-" ${where} must start a revision "-rN"`;
  if (/^[a-z0-9._~-]$/.test(ch)) {
    const after = ['the numbers', 'the numbers', 'the letter', 'a suffix', 'a suffix number'];
    const what = after[prev] ?? (prev === T_HASH ? 'the commit hash' : 'the revision');
    return `"${ch}" ${where} may not follow ${what}`;
  }
  return `unexpected character ${JSON.stringify(ch)} ${where}`;
}

function validate(version: string): string | null {
  const sc = scanA;
  for (sc.first(version); sc.token < T_END; sc.next());
  return sc.token === T_END ? null : describeFailure(sc);
}

function parse(version: string): ApkVersion {
  const sc = new Scanner();
  const numbers: string[] = [];
  const suffixes: { name: ApkSuffixName; number: string | null }[] = [];
  const tokens: ApkVersionToken[] = [];
  let letter: string | null = null;
  let hash: string | null = null;
  let revision: string | null = null;
  for (sc.first(version); sc.token < T_END; sc.next()) {
    const kind = sc.token as ApkTokenKind;
    const text = version.slice(sc.start, sc.end);
    tokens.push({ kind, text });
    if (kind <= T_DIGIT) numbers.push(text);
    else if (kind === T_LETTER) letter = text;
    else if (kind === T_SUFFIX) suffixes.push({ name: text as ApkSuffixName, number: null });
    else if (kind === T_SUFFIX_NO) (suffixes[suffixes.length - 1] as { number: string | null }).number = text;
    else if (kind === T_HASH) hash = text;
    else revision = text;
  }
  if (sc.token !== T_END) throw new VersionError('apk', version, describeFailure(sc));
  return { numbers, letter, suffixes, hash, revision, tokens };
}

function format(v: ApkVersion): string {
  let out = '';
  for (const t of v.tokens) out += (SEPARATORS[t.kind] as string) + t.text;
  return out;
}

function compare(a: string, b: string): Ordering {
  return compareStrings(a, b, false, true);
}

function compareParsed(a: ApkVersion, b: ApkVersion): Ordering {
  const n = Math.min(a.tokens.length, b.tokens.length);
  let i = 0;
  for (; i < n; i++) {
    const x = a.tokens[i] as ApkVersionToken;
    const y = b.tokens[i] as ApkVersionToken;
    if (x.kind !== y.kind) break;
    const r = compareToken(x.kind, x.text, 0, x.text.length, y.text, 0, y.text.length);
    if (r !== 0) return r;
  }
  const x = a.tokens[i];
  const y = b.tokens[i];
  const pre = (t: ApkVersionToken | undefined): boolean =>
    t?.kind === T_SUFFIX && suffixValue(t.text, 0, t.text.length) < SUF_NONE;
  return compareTail(x?.kind ?? T_END, pre(x), y?.kind ?? T_END, pre(y), false);
}

export const apk: VersionScheme<ApkVersion> = {
  name: 'apk',
  parse,
  validate,
  compare,
  compareParsed,
  format,
};

/**
 * apk's fuzzy dependency operators (apk_version_match() with the fuzzy bit). "~": `version` equals
 * `pattern` on every token the pattern has ("3.6.9" ~ "3.6", "3.60" is not); "<~" / ">~": also a
 * version before / after the pattern; "!~": not "~". The pattern must be valid (apk rejects such a
 * dependency); `version` may be any string and is compared as apk compares it.
 */
export function apkFuzzyMatch(version: string, op: '~' | '<~' | '>~' | '!~', pattern: string): boolean {
  const why = validate(pattern);
  if (why !== null) throw new VersionError('apk', pattern, why);
  const r = compareStrings(version, pattern, true, false);
  return op === '~' ? r === 0 : op === '<~' ? r <= 0 : op === '>~' ? r >= 0 : r !== 0;
}

/*
 * apk-tools 2.x (src/version.c on the 2.x branches; Alpine 3.0 to 3.22) differs from master:
 * - numbers are C ints (overflow past 2^31); no "~hash"; suffixes match by prefix;
 * - a dotted component's leading zeros are one token worth -(count of zeros), the rest another:
 *   "1.0" > "1.00" and "8.2.0" > "8.2.001" there, and a suffix right after an all-zero component is
 *   missed, so "1.0_rc1" > "1.0" there (master: "1.0_rc1" < "1.0");
 * - digits may follow the letter ("6.6.2p1"), and "1.a", "0..1", "1-r", "1-r2-r3" are valid;
 * - an invalid token sorts after every kind, not before ("1-r-0" > "1-r0" there);
 * - `apk version -t` compares without validating (master refuses invalid input).
 * Digits, dots without leading zeros, one letter, known suffixes and -rN agree.
 */
