/**
 * The RPM version scheme, ordered exactly as rpm 4.18 orders versions.
 *
 * Two layers, as in rpm itself:
 * - `rpmvercmp(a, b)` (rpmio/rpmvercmp.c): the segment comparison of one
 *   version or release string.
 * - `rpm.compare(a, b)` (lib/rpmver.c, `rpmverParse` + `rpmverCmp`, which is
 *   what `rpm.vercmp` in rpm's Lua uses): full `[epoch:]version[-release]`
 *   strings.
 *
 * EVR splitting (`parseEVR`): leading ASCII digits followed by ':' are the
 * epoch (an empty epoch, ":1", means "0"); the release is everything after the
 * LAST '-'; the rest is the version. "a:1" has no epoch (its version is "a:1").
 *
 * EVR ordering (`rpmverCmp`): epochs compare as numbers, a missing epoch is 0;
 * then versions with rpmvercmp; then releases, where a missing release sorts
 * BEFORE any release, even an empty one ("1.0" < "1.0-" < "1.0-0"). rpm 4.18
 * does not skip the release when one side lacks it: that rule belongs to
 * dependency ranges (`rpmverOverlap`), not to the ordering of versions. The
 * native test proves this against the real `rpm` ("1.0-1" > "1.0").
 *
 * Validation. rpm compares almost any string; we reject only:
 * - the empty string: `rpmverParse("")` returns NULL and `rpm.vercmp` raises
 *   "invalid version";
 * - whitespace (anything matching JS `\s`, including NBSP and U+FEFF) and
 *   control characters (C0, DEL, C1): rpmbuild refuses them in Version and
 *   Release, they cannot round-trip through `rpm -q --qf` output or NEVRA
 *   strings, and a NUL would silently truncate the string in rpm's C code;
 * - an empty version part ("", "1:", "-1", "2:-1"): rpm requires a non-empty
 *   Version tag, so such a string never names a real package;
 * - an epoch above Number.MAX_SAFE_INTEGER: the parsed epoch is a number and
 *   must be exact (rpm stores epochs as 32-bit integers anyway).
 * Everything else is accepted and ordered as rpm orders it, including
 * non-ASCII characters (separators, since only ASCII letters and digits are
 * alphanumeric to rpm) and extra ':' or '-' characters.
 */
import { type Ordering, type VersionScheme, VersionError } from './scheme.js';

export interface RpmVersion {
  /** The epoch, or null when the string has none (it then compares as 0). */
  readonly epoch: number | null;
  readonly version: string;
  /** The release, or null when there is no '-' (it then sorts first). */
  readonly release: string | null;
}

const TILDE = 0x7e;
const CARET = 0x5e;
const DIGIT_0 = 0x30;
const DIGIT_9 = 0x39;
const COLON = 0x3a;
const DASH = 0x2d;

/** Character classes for rpmvercmp; every non-ASCII code unit is a separator. */
const SEP = 0;
const DIGIT = 1;
const ALPHA = 2;
const CLASS = new Uint8Array(128);
for (let c = 0x30; c <= 0x39; c++) CLASS[c] = DIGIT;
for (let c = 0x41; c <= 0x5a; c++) CLASS[c] = ALPHA;
for (let c = 0x61; c <= 0x7a; c++) CLASS[c] = ALPHA;
CLASS[TILDE] = 3;
CLASS[CARET] = 4;

function cls(c: number): number {
  return c < 128 ? (CLASS[c] as number) : SEP;
}

function isDigit(c: number): boolean {
  return c >= DIGIT_0 && c <= DIGIT_9;
}

/**
 * rpmvercmp over s1[i..e1) and s2[j..e2): split into runs of ASCII digits or
 * ASCII letters, skipping other characters; '~' sorts before anything, even
 * the end of the string; '^' sorts after the end of the string but before
 * anything else; a digit run beats a letter run; digit runs compare as
 * numbers of any length; letter runs compare as bytes; when every run is
 * equal, the side with characters left over is newer.
 */
function segcmp(s1: string, i: number, e1: number, s2: string, j: number, e2: number): Ordering {
  while (i < e1 || j < e2) {
    while (i < e1 && cls(s1.charCodeAt(i)) === SEP) i++;
    while (j < e2 && cls(s2.charCodeAt(j)) === SEP) j++;
    const c1 = i < e1 ? s1.charCodeAt(i) : -1;
    const c2 = j < e2 ? s2.charCodeAt(j) : -1;

    if (c1 === TILDE || c2 === TILDE) {
      if (c1 !== TILDE) return 1;
      if (c2 !== TILDE) return -1;
      i++;
      j++;
      continue;
    }
    if (c1 === CARET || c2 === CARET) {
      if (c1 === -1) return -1;
      if (c2 === -1) return 1;
      if (c1 !== CARET) return 1;
      if (c2 !== CARET) return -1;
      i++;
      j++;
      continue;
    }
    if (c1 === -1 || c2 === -1) break;

    let a = i;
    let b = j;
    if (isDigit(c1)) {
      while (i < e1 && isDigit(s1.charCodeAt(i))) i++;
      while (j < e2 && isDigit(s2.charCodeAt(j))) j++;
      // A digit run against a letter run: numeric is newer.
      if (b === j) return 1;
      while (a < i && s1.charCodeAt(a) === DIGIT_0) a++;
      while (b < j && s2.charCodeAt(b) === DIGIT_0) b++;
      // The longer number (without leading zeros) is the larger.
      if (i - a !== j - b) return i - a > j - b ? 1 : -1;
    } else {
      while (i < e1 && cls(s1.charCodeAt(i)) === ALPHA) i++;
      while (j < e2 && cls(s2.charCodeAt(j)) === ALPHA) j++;
      if (b === j) return -1;
    }
    // strcmp of the two runs.
    while (a < i && b < j) {
      const d = s1.charCodeAt(a) - s2.charCodeAt(b);
      if (d !== 0) return d < 0 ? -1 : 1;
      a++;
      b++;
    }
    if (a < i) return 1;
    if (b < j) return -1;
  }
  if (i >= e1 && j >= e2) return 0;
  return i >= e1 ? -1 : 1;
}

/** rpm's raw segment comparison of two version (or release) strings. */
export function rpmvercmp(a: string, b: string): Ordering {
  if (a === b) return 0;
  return segcmp(a, 0, a.length, b, 0, b.length);
}

/** Numeric comparison of two digit runs of any length (empty counts as 0). */
function digitcmp(s1: string, i: number, e1: number, s2: string, j: number, e2: number): Ordering {
  while (i < e1 && s1.charCodeAt(i) === DIGIT_0) i++;
  while (j < e2 && s2.charCodeAt(j) === DIGIT_0) j++;
  if (e1 - i !== e2 - j) return e1 - i > e2 - j ? 1 : -1;
  for (; i < e1; i++, j++) {
    const d = s1.charCodeAt(i) - s2.charCodeAt(j);
    if (d !== 0) return d < 0 ? -1 : 1;
  }
  return 0;
}

function isWhitespaceOrControl(c: number): boolean {
  if (c <= 0x20) return true; // C0 controls and space
  if (c < 0x7f) return false;
  if (c <= 0xa0) return true; // DEL, C1 controls, NBSP
  if (c < 0x1680) return false;
  return (
    c === 0x1680 ||
    (c >= 0x2000 && c <= 0x200a) ||
    c === 0x2028 ||
    c === 0x2029 ||
    c === 0x202f ||
    c === 0x205f ||
    c === 0x3000 ||
    c === 0xfeff
  );
}

/*
 * Where the parts of an EVR string are, without allocating: `locate` writes
 * four offsets into `slots` at `at`: epoch end (-1 when there is no epoch;
 * the epoch is then s[0..end)), version start, version end, release start
 * (-1 when there is no release; the release then runs to the end).
 */
const slots = new Int32Array(8);
const A = 0;
const B = 4;

/** Locates the EVR parts of `s` into `slots[at..at+4)`; returns why invalid, or null. */
function locate(s: string, at: number): string | null {
  const n = s.length;
  if (n === 0) return 'empty version string';
  let k = 0;
  while (k < n && isDigit(s.charCodeAt(k))) k++;
  // One backward pass finds the last '-' and rejects whitespace and controls.
  let dash = -1;
  for (let i = n - 1; i >= k; i--) {
    const c = s.charCodeAt(i);
    if (c === DASH) {
      if (dash < 0) dash = i;
    } else if (c <= 0x20 || (c >= 0x7f && isWhitespaceOrControl(c))) {
      return `whitespace or control character at offset ${i}`;
    }
  }
  const hasEpoch = k < n && s.charCodeAt(k) === COLON;
  const verStart = hasEpoch ? k + 1 : 0;
  const verEnd = dash >= 0 ? dash : n;
  if (verEnd <= verStart) return 'empty version part';
  if (hasEpoch && k > 15) {
    let z = 0;
    while (z < k && s.charCodeAt(z) === DIGIT_0) z++;
    if (k - z > 15 && Number(s.slice(z, k)) > Number.MAX_SAFE_INTEGER) {
      return 'epoch is too large';
    }
  }
  slots[at] = hasEpoch ? k : -1;
  slots[at + 1] = verStart;
  slots[at + 2] = verEnd;
  slots[at + 3] = dash >= 0 ? dash + 1 : -1;
  return null;
}

/** Compares two EVR strings located at slots A and B. */
function compareLocated(a: string, b: string): Ordering {
  const ae = slots[A] as number;
  const be = slots[B] as number;
  // A missing epoch is "0"; an empty one (":1") is "0" too.
  let rc = digitcmp(a, 0, ae < 0 ? 0 : ae, b, 0, be < 0 ? 0 : be);
  if (rc !== 0) return rc;
  rc = segcmp(
    a,
    slots[A + 1] as number,
    slots[A + 2] as number,
    b,
    slots[B + 1] as number,
    slots[B + 2] as number,
  );
  if (rc !== 0) return rc;
  const ar = slots[A + 3] as number;
  const br = slots[B + 3] as number;
  if (ar < 0 || br < 0) return ar < 0 ? (br < 0 ? 0 : -1) : 1;
  return segcmp(a, ar, a.length, b, br, b.length);
}

function parse(version: string): RpmVersion {
  const why = locate(version, A);
  if (why !== null) throw new VersionError('rpm', version, why);
  const epochEnd = slots[A] as number;
  const relStart = slots[A + 3] as number;
  return {
    epoch: epochEnd < 0 ? null : epochEnd === 0 ? 0 : Number(version.slice(0, epochEnd)),
    version: version.slice(slots[A + 1], slots[A + 2]),
    release: relStart < 0 ? null : version.slice(relStart),
  };
}

function compare(a: string, b: string): Ordering {
  if (a === b) {
    const why = locate(a, A);
    if (why !== null) throw new VersionError('rpm', a, why);
    return 0;
  }
  let why = locate(a, A);
  if (why !== null) throw new VersionError('rpm', a, why);
  why = locate(b, B);
  if (why !== null) throw new VersionError('rpm', b, why);
  return compareLocated(a, b);
}

function compareParsed(a: RpmVersion, b: RpmVersion): Ordering {
  const ea = a.epoch ?? 0;
  const eb = b.epoch ?? 0;
  if (ea !== eb) return ea < eb ? -1 : 1;
  const rc = rpmvercmp(a.version, b.version);
  if (rc !== 0) return rc;
  if (a.release === null || b.release === null) {
    return a.release === null ? (b.release === null ? 0 : -1) : 1;
  }
  return rpmvercmp(a.release, b.release);
}

function format(p: RpmVersion): string {
  const epoch = p.epoch === null ? '' : `${p.epoch}:`;
  return p.release === null ? `${epoch}${p.version}` : `${epoch}${p.version}-${p.release}`;
}

export const rpm: VersionScheme<RpmVersion> = {
  name: 'rpm',
  parse,
  validate: (version) => locate(version, A),
  compare,
  compareParsed,
  format,
};
