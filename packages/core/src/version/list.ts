/**
 * The one list of version schemes, and which ecosystems use which. Adding a
 * scheme means adding it here (and its tests); nothing else enumerates them.
 */
import { PatchloopError } from '../error/codes.js';
import { apk } from './apk.js';
import { debian } from './debian.js';
import { rpm } from './rpm.js';
import type { SchemeName, VersionScheme } from './scheme.js';
import { semver } from './semver.js';

export const SCHEMES: { readonly [K in SchemeName]: VersionScheme<unknown> } = {
  debian: debian as VersionScheme<unknown>,
  rpm: rpm as VersionScheme<unknown>,
  apk: apk as VersionScheme<unknown>,
  semver: semver as VersionScheme<unknown>,
};

export const SCHEME_NAMES = Object.keys(SCHEMES) as SchemeName[];

/**
 * Ecosystem and distribution names (OSV spellings, lower-cased, and common
 * aliases) mapped to the scheme that orders their package versions.
 */
const ALIASES: Readonly<Record<string, SchemeName>> = {
  debian: 'debian',
  dpkg: 'debian',
  deb: 'debian',
  ubuntu: 'debian',
  rpm: 'rpm',
  redhat: 'rpm',
  rhel: 'rpm',
  almalinux: 'rpm',
  'rocky linux': 'rpm',
  rocky: 'rpm',
  centos: 'rpm',
  fedora: 'rpm',
  'oracle linux': 'rpm',
  oracle: 'rpm',
  amazon: 'rpm',
  'amazon linux': 'rpm',
  suse: 'rpm',
  opensuse: 'rpm',
  photon: 'rpm',
  apk: 'apk',
  alpine: 'apk',
  semver: 'semver',
  npm: 'semver',
};

/** The scheme for a scheme or ecosystem name; throws PL_VERSION_SCHEME_UNKNOWN. */
export function schemeFor(name: string): VersionScheme<unknown> {
  const key = ALIASES[name.trim().toLowerCase()];
  if (key === undefined) {
    throw new PatchloopError(
      'PL_VERSION_SCHEME_UNKNOWN',
      `unknown version scheme or ecosystem ${JSON.stringify(name)} (known: ${Object.keys(ALIASES).join(', ')})`,
      { name },
    );
  }
  return SCHEMES[key];
}

/** The scheme name of a package manager's versions ("dpkg" → "debian"); null for one Patchloop does not know. */
export function schemeOfManager(manager: string | null): 'debian' | 'rpm' | 'apk' | null {
  return manager === 'dpkg' ? 'debian' : manager === 'rpm' ? 'rpm' : manager === 'apk' ? 'apk' : null;
}
