import { PatchloopError } from '../error/codes.js';

/** -1: a sorts before b, 0: equal, 1: a sorts after b. */
export type Ordering = -1 | 0 | 1;

/**
 * One versioning scheme (dpkg, rpm, apk, semver). Every scheme is exact: it
 * orders versions the way the ecosystem's own tool does, and is proven
 * against that tool in tests.
 */
export interface VersionScheme<Parsed> {
  readonly name: SchemeName;
  /** Parse and validate; throws a PatchloopError with code PL_VERSION_INVALID. */
  parse(version: string): Parsed;
  /** Why the version is invalid, or null when it is valid. Never throws. */
  validate(version: string): string | null;
  /** Compare two version strings; throws PL_VERSION_INVALID for an invalid one. */
  compare(a: string, b: string): Ordering;
  /** Compare two already parsed versions. */
  compareParsed(a: Parsed, b: Parsed): Ordering;
  /** The canonical string form of a parsed version. */
  format(parsed: Parsed): string;
}

export type SchemeName = 'debian' | 'rpm' | 'apk' | 'semver';

export class VersionError extends PatchloopError {
  readonly scheme: SchemeName;
  readonly version: string;
  readonly reason: string;
  constructor(scheme: SchemeName, version: string, reason: string) {
    super('PL_VERSION_INVALID', `invalid ${scheme} version ${JSON.stringify(version)}: ${reason}`, {
      scheme,
      version,
      reason,
    });
    this.name = 'VersionError';
    this.scheme = scheme;
    this.version = version;
    this.reason = reason;
  }
}

export function sign(n: number): Ordering {
  return n < 0 ? -1 : n > 0 ? 1 : 0;
}
