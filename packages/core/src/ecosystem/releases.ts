/**
 * Release names as feeds spell them: Debian's codenames (the security
 * tracker lists use them; OSV uses the version number) and Ubuntu's.
 */

/** Debian major version → codename. */
export const DEBIAN_CODENAMES: Readonly<Record<string, string>> = {
  '7': 'wheezy',
  '8': 'jessie',
  '9': 'stretch',
  '10': 'buster',
  '11': 'bullseye',
  '12': 'bookworm',
  '13': 'trixie',
  '14': 'forky',
};

/** Ubuntu version → codename. */
export const UBUNTU_CODENAMES: Readonly<Record<string, string>> = {
  '14.04': 'trusty',
  '16.04': 'xenial',
  '18.04': 'bionic',
  '20.04': 'focal',
  '22.04': 'jammy',
  '23.04': 'lunar',
  '23.10': 'mantic',
  '24.04': 'noble',
  '24.10': 'oracular',
  '25.04': 'plucky',
  '25.10': 'questing',
  '26.04': 'resolute',
};

export function versionForCodename(table: Readonly<Record<string, string>>, codename: string): string | null {
  for (const [version, name] of Object.entries(table)) if (name === codename) return version;
  return null;
}
