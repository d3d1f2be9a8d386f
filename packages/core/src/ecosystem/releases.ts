/**
 * Release names as feeds spell them: Debian's codenames (the security
 * tracker lists use them; OSV uses the version number) and Ubuntu's. One
 * table for all of core: inventory/os-spec.ts.
 */
import { OS_CODENAMES } from '../inventory/os-spec.js';

/** Debian major version → codename. */
export const DEBIAN_CODENAMES: Readonly<Record<string, string>> = OS_CODENAMES.debian ?? {};

/** Ubuntu version → codename. */
export const UBUNTU_CODENAMES: Readonly<Record<string, string>> = OS_CODENAMES.ubuntu ?? {};

export function versionForCodename(table: Readonly<Record<string, string>>, codename: string): string | null {
  for (const [version, name] of Object.entries(table)) if (name === codename) return version;
  return null;
}
