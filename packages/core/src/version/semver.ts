/**
 * SemVer 2.0.0 (https://semver.org), for language ecosystems. Parsing matches
 * node-semver, the reference for npm: surrounding whitespace is trimmed, a
 * leading "v" is accepted, versions are at most 256 characters and each of
 * major/minor/patch at most Number.MAX_SAFE_INTEGER. The loose variant also
 * accepts what node-semver's `loose` option does ("=1.2.3", "v 1.2.3",
 * leading zeros, a prerelease without its hyphen).
 *
 * Ordering is SemVer's: major, minor, patch numerically; a prerelease sorts
 * before its release; prerelease identifiers compare numerically when both are
 * digits, numeric before alphanumeric, otherwise by ASCII; build metadata is
 * ignored. One deliberate difference from node-semver: numeric prerelease
 * identifiers above 2^53 are compared exactly (node-semver converts them to
 * floating point and may call two different ones equal).
 */
import { VersionError, type Ordering, type VersionScheme } from './scheme.js';

export interface SemverVersion {
  readonly major: number;
  readonly minor: number;
  readonly patch: number;
  /** Dot-separated prerelease identifiers; numeric ones without leading zeros. */
  readonly prerelease: readonly string[];
  readonly build: readonly string[];
}

const MAX_LENGTH = 256;

const NUM = '0|[1-9]\\d*';
const NUM_LOOSE = '\\d+';
const NON_NUMERIC = '\\d*[a-zA-Z-][a-zA-Z0-9-]*';
const BUILD = '(?:\\+([0-9A-Za-z-]+(?:\\.[0-9A-Za-z-]+)*))';
const STRICT = new RegExp(
  `^v?(${NUM})\\.(${NUM})\\.(${NUM})` +
    `(?:-((?:${NUM}|${NON_NUMERIC})(?:\\.(?:${NUM}|${NON_NUMERIC}))*))?${BUILD}?$`,
);
const LOOSE = new RegExp(
  `^[v=\\s]*(${NUM_LOOSE})\\.(${NUM_LOOSE})\\.(${NUM_LOOSE})` +
    `(?:-?((?:${NUM_LOOSE}|${NON_NUMERIC})(?:\\.(?:${NUM_LOOSE}|${NON_NUMERIC}))*))?${BUILD}?$`,
);

function isNumeric(id: string): boolean {
  if (id.length === 0) return false;
  for (let i = 0; i < id.length; i++) {
    const c = id.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

function stripZeros(id: string): string {
  let i = 0;
  while (i < id.length - 1 && id.charCodeAt(i) === 48) i++;
  return i === 0 ? id : id.slice(i);
}

function toComponent(s: string): number | null {
  const n = Number(s);
  return n <= Number.MAX_SAFE_INTEGER ? n : null;
}

function parseOrReason(input: string, loose: boolean): SemverVersion | string {
  if (typeof input !== 'string') return 'not a string';
  const s = input.trim();
  if (s.length > MAX_LENGTH) return `longer than ${MAX_LENGTH} characters`;
  const m = (loose ? LOOSE : STRICT).exec(s);
  if (m === null)
    return loose ? 'not a version' : 'not a SemVer 2.0 version (MAJOR.MINOR.PATCH[-pre][+build])';
  const major = toComponent(m[1] ?? '');
  const minor = toComponent(m[2] ?? '');
  const patch = toComponent(m[3] ?? '');
  if (major === null || minor === null || patch === null) {
    return 'a version number is larger than Number.MAX_SAFE_INTEGER';
  }
  const pre = m[4] === undefined ? [] : m[4].split('.');
  return {
    major,
    minor,
    patch,
    prerelease: loose ? pre.map((id) => (isNumeric(id) ? stripZeros(id) : id)) : pre,
    build: m[5] === undefined ? [] : m[5].split('.'),
  };
}

function compareNumericStrings(a: string, b: string): number {
  if (a.length !== b.length) return a.length - b.length;
  return a < b ? -1 : a > b ? 1 : 0;
}

function compareIdentifiers(a: string, b: string): number {
  const an = isNumeric(a);
  const bn = isNumeric(b);
  if (an && bn) return compareNumericStrings(a, b);
  if (an) return -1;
  if (bn) return 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

export function compareSemver(a: SemverVersion, b: SemverVersion): Ordering {
  let r = a.major - b.major || a.minor - b.minor || a.patch - b.patch;
  if (r === 0) {
    const ap = a.prerelease;
    const bp = b.prerelease;
    if (ap.length === 0 || bp.length === 0) {
      r = bp.length - ap.length; // a release sorts after any of its prereleases
    } else {
      const n = Math.min(ap.length, bp.length);
      for (let i = 0; i < n && r === 0; i++) r = compareIdentifiers(ap[i] as string, bp[i] as string);
      if (r === 0) r = ap.length - bp.length;
    }
  }
  return r < 0 ? -1 : r > 0 ? 1 : 0;
}

function createSemverScheme(loose: boolean): VersionScheme<SemverVersion> {
  const parse = (version: string): SemverVersion => {
    const p = parseOrReason(version, loose);
    if (typeof p === 'string') throw new VersionError('semver', version, p);
    return p;
  };
  return {
    name: 'semver',
    parse,
    validate(version) {
      const p = parseOrReason(version, loose);
      return typeof p === 'string' ? p : null;
    },
    compare: (a, b) => compareSemver(parse(a), parse(b)),
    compareParsed: compareSemver,
    format(v) {
      const pre = v.prerelease.length > 0 ? `-${v.prerelease.join('.')}` : '';
      const build = v.build.length > 0 ? `+${v.build.join('.')}` : '';
      return `${v.major}.${v.minor}.${v.patch}${pre}${build}`;
    },
  };
}

/** Strict SemVer 2.0 (a leading "v" allowed, as node-semver allows it). */
export const semver = createSemverScheme(false);
/** node-semver's loose parsing, for registries that publish sloppy versions. */
export const semverLoose = createSemverScheme(true);
