/**
 * Debian package versions ([epoch:]upstream[-revision]), ordered exactly as
 * dpkg orders them (lib/dpkg/version.c and parsehelp.c): used for Debian and
 * Ubuntu. Validation follows dpkg's parseversion(), treating its warnings
 * (no leading digit, invalid characters) as errors, as Dpkg::Version does.
 *
 * compare() works on the strings in place with character codes and no
 * allocation: it is on the hot path of fleet assessment.
 */
import { VersionError, type Ordering, type VersionScheme } from './scheme.js';

export interface DebianVersion {
  readonly epoch: number;
  readonly upstream: string;
  /** '' when the version has no revision (dpkg treats that like "0"). */
  readonly revision: string;
}

const INT_MAX = 2147483647;
const CH_0 = 48;
const CH_9 = 57;
const CH_TILDE = 126;
const CH_COLON = 58;
const CH_HYPHEN = 45;

function isDigit(c: number): boolean {
  return c >= CH_0 && c <= CH_9;
}

function isAlpha(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

/** C isspace() in the C locale. */
function isSpace(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13);
}

/** Past the end of a string; order() of it is 0, like dpkg's NUL. */
const END = -1;

/**
 * dpkg's order() as a table for ASCII: the weight of a non-digit character.
 * Digits and the end weigh 0, letters their code, '~' -1, anything else its
 * code + 256.
 */
const ORDER = new Int32Array(128);
for (let c = 0; c < 128; c++) {
  ORDER[c] = isDigit(c) ? 0 : isAlpha(c) ? c : c === CH_TILDE ? -1 : c + 256;
}

function order(c: number): number {
  return c === END ? 0 : c < 128 ? (ORDER[c] as number) : c + 256;
}

/**
 * The located parts of a version string: [start, end) ranges of upstream and
 * revision inside the original string, and the numeric epoch.
 */
interface Span {
  epoch: number;
  upStart: number;
  upEnd: number;
  revStart: number;
  revEnd: number;
}

/**
 * Locates the parts of `v`, or returns the reason it is invalid. `lenient`
 * tolerates what dpkg only warns about (no leading digit, odd characters), as
 * `dpkg --compare-versions` does.
 */
function locate(v: string, out: Span, lenient = false): string | null {
  let start = 0;
  let end = v.length;
  while (start < end && isSpace(v.charCodeAt(start))) start++;
  if (start === end) return 'version string is empty';
  let stop = start;
  while (stop < end && !isSpace(v.charCodeAt(stop))) stop++;
  for (let i = stop; i < end; i++) {
    if (!isSpace(v.charCodeAt(i))) return 'version string has embedded spaces';
  }
  end = stop;

  // Epoch: as C strtol() before the first colon, which must end the number.
  const colon = v.indexOf(':', start);
  let upStart = start;
  out.epoch = 0;
  if (colon !== -1 && colon < end) {
    let i = start;
    let negative = false;
    const sign = v.charCodeAt(i);
    // dpkg's strtol() takes a sign ("+1:2.0"); Dpkg::Version and apt do not, and
    // apt orders such epochs differently from dpkg: only the lenient mode takes them.
    if (!lenient && (sign === 43 || sign === CH_HYPHEN)) return 'epoch in version is not number';
    if (sign === 43 /* + */ || sign === CH_HYPHEN) {
      negative = sign === CH_HYPHEN;
      i++;
    }
    const digitsStart = i;
    let epoch = 0;
    while (i < colon && isDigit(v.charCodeAt(i))) {
      epoch = epoch * 10 + (v.charCodeAt(i) - CH_0);
      i++;
    }
    if (i === digitsStart) return 'epoch in version is empty';
    if (i !== colon) return 'epoch in version is not number';
    if (negative && epoch !== 0) return 'epoch in version is negative';
    if (epoch > INT_MAX) return 'epoch in version is too big';
    out.epoch = epoch;
    upStart = colon + 1;
    if (upStart === end) return 'nothing after colon in version number';
  }

  // Revision: after the last hyphen.
  const hyphen = v.lastIndexOf('-', end - 1);
  let upEnd = end;
  let revStart = end;
  if (hyphen >= upStart) {
    upEnd = hyphen;
    revStart = hyphen + 1;
    if (revStart === end) return 'revision number is empty';
  }
  if (upEnd === upStart) return 'version number is empty';
  out.upStart = upStart;
  out.upEnd = upEnd;
  out.revStart = revStart;
  out.revEnd = end;
  if (lenient) return null;
  if (!isDigit(v.charCodeAt(upStart))) return 'version number does not start with digit';
  for (let i = upStart + 1; i < upEnd; i++) {
    const c = v.charCodeAt(i);
    if (
      !isDigit(c) &&
      !isAlpha(c) &&
      c !== 46 &&
      c !== CH_HYPHEN &&
      c !== 43 &&
      c !== CH_TILDE &&
      c !== CH_COLON
    ) {
      return 'invalid character in version number';
    }
  }
  for (let i = revStart; i < end; i++) {
    const c = v.charCodeAt(i);
    if (!isDigit(c) && !isAlpha(c) && c !== 46 && c !== 43 && c !== CH_TILDE) {
      return 'invalid character in revision number';
    }
  }
  return null;
}

/** Characters a valid version may contain anywhere: alphanumerics and . + ~ : - */
const PLAIN = new Uint8Array(128);
for (let c = 0; c < 128; c++) {
  PLAIN[c] =
    isDigit(c) || isAlpha(c) || c === 46 || c === 43 || c === CH_TILDE || c === CH_COLON || c === CH_HYPHEN
      ? 1
      : 0;
}

/**
 * The common case in one pass: a version with only plain characters, an
 * all-digit epoch, a digit first and a clean revision. Returns false for
 * anything else, which locate() then examines (and names the reason).
 */
function locateFast(v: string, out: Span): boolean {
  const n = v.length;
  let colon = -1;
  let lastColon = -1;
  let hyphen = -1;
  for (let i = 0; i < n; i++) {
    const c = v.charCodeAt(i);
    if (c >= 128 || PLAIN[c] === 0) return false;
    if (c === CH_COLON) {
      if (colon < 0) colon = i;
      lastColon = i;
    } else if (c === CH_HYPHEN) hyphen = i;
  }
  let epoch = 0;
  if (colon >= 0) {
    if (colon === 0 || colon > 9) return false; // empty, or possibly above INT_MAX
    for (let i = 0; i < colon; i++) {
      const c = v.charCodeAt(i);
      if (!isDigit(c)) return false;
      epoch = epoch * 10 + (c - CH_0);
    }
  }
  const upStart = colon + 1;
  let upEnd = n;
  if (hyphen >= upStart) {
    if (hyphen === n - 1 || lastColon > hyphen) return false;
    upEnd = hyphen;
  }
  if (upEnd === upStart || !isDigit(v.charCodeAt(upStart))) return false;
  out.epoch = epoch;
  out.upStart = upStart;
  out.upEnd = upEnd;
  out.revStart = upEnd === n ? n : upEnd + 1;
  out.revEnd = n;
  return true;
}

/**
 * dpkg's verrevcmp() over a[as, ae) and b[bs, be): alternating non-digit runs
 * (compared by order()) and digit runs (compared numerically).
 */
function verrevcmp(a: string, as: number, ae: number, b: string, bs: number, be: number): number {
  let i = as;
  let j = bs;
  while (i < ae || j < be) {
    let firstDiff = 0;
    for (;;) {
      const ca = i < ae ? a.charCodeAt(i) : END;
      const cb = j < be ? b.charCodeAt(j) : END;
      const aText = ca !== END && !isDigit(ca);
      const bText = cb !== END && !isDigit(cb);
      if (!aText && !bText) break;
      if (ca !== cb) {
        const ac = order(ca);
        const bc = order(cb);
        if (ac !== bc) return ac - bc;
      }
      i++;
      j++;
    }
    while (i < ae && a.charCodeAt(i) === CH_0) i++;
    while (j < be && b.charCodeAt(j) === CH_0) j++;
    while (i < ae && j < be) {
      const ca = a.charCodeAt(i);
      const cb = b.charCodeAt(j);
      if (!isDigit(ca) || !isDigit(cb)) break;
      if (firstDiff === 0) firstDiff = ca - cb;
      i++;
      j++;
    }
    if (i < ae && isDigit(a.charCodeAt(i))) return 1;
    if (j < be && isDigit(b.charCodeAt(j))) return -1;
    if (firstDiff !== 0) return firstDiff;
  }
  return 0;
}

const spanA: Span = { epoch: 0, upStart: 0, upEnd: 0, revStart: 0, revEnd: 0 };
const spanB: Span = { epoch: 0, upStart: 0, upEnd: 0, revStart: 0, revEnd: 0 };

function compareStrings(a: string, b: string, lenient = false): Ordering {
  if (!locateFast(a, spanA)) {
    const e = locate(a, spanA, lenient);
    if (e !== null) throw new VersionError('debian', a, e);
  }
  if (!locateFast(b, spanB)) {
    const e = locate(b, spanB, lenient);
    if (e !== null) throw new VersionError('debian', b, e);
  }
  if (spanA.epoch !== spanB.epoch) return spanA.epoch < spanB.epoch ? -1 : 1;
  let r = verrevcmp(a, spanA.upStart, spanA.upEnd, b, spanB.upStart, spanB.upEnd);
  if (r === 0) r = verrevcmp(a, spanA.revStart, spanA.revEnd, b, spanB.revStart, spanB.revEnd);
  return r < 0 ? -1 : r > 0 ? 1 : 0;
}

/**
 * Compares as `dpkg --compare-versions` does: versions that dpkg only warns
 * about (e.g. "III-alpha9.8", no leading digit) are compared rather than
 * rejected. Hard errors (empty, embedded spaces, bad epoch, empty revision)
 * still throw PL_VERSION_INVALID.
 */
export function compareDebianLenient(a: string, b: string): Ordering {
  return compareStrings(a, b, true);
}

function compareParsed(a: DebianVersion, b: DebianVersion): Ordering {
  if (a.epoch !== b.epoch) return a.epoch < b.epoch ? -1 : 1;
  let r = verrevcmp(a.upstream, 0, a.upstream.length, b.upstream, 0, b.upstream.length);
  if (r === 0) r = verrevcmp(a.revision, 0, a.revision.length, b.revision, 0, b.revision.length);
  return r < 0 ? -1 : r > 0 ? 1 : 0;
}

export const debian: VersionScheme<DebianVersion> = {
  name: 'debian',
  validate(version) {
    return locate(version, { epoch: 0, upStart: 0, upEnd: 0, revStart: 0, revEnd: 0 });
  },
  parse(version) {
    const s: Span = { epoch: 0, upStart: 0, upEnd: 0, revStart: 0, revEnd: 0 };
    const err = locate(version, s);
    if (err !== null) throw new VersionError('debian', version, err);
    return {
      epoch: s.epoch,
      upstream: version.slice(s.upStart, s.upEnd),
      revision: version.slice(s.revStart, s.revEnd),
    };
  },
  compare: (a, b) => compareStrings(a, b),
  compareParsed,
  format(v) {
    return `${v.epoch !== 0 ? `${v.epoch}:` : ''}${v.upstream}${v.revision !== '' ? `-${v.revision}` : ''}`;
  },
};
