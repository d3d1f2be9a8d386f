/**
 * OS identities from a user's `--os id:version` and from os-release.
 *
 * `parseOsSpec` reads `id:version` with the os-release ID ("debian",
 * "ubuntu", "almalinux", "rocky", "rhel", "alpine", …; upper case is folded)
 * and a version: `debian:12`, `ubuntu:22.04`, `almalinux:9`, `rocky:9.4`,
 * `alpine:3.11`. Debian and Ubuntu also take a codename (`debian:bookworm`,
 * `ubuntu:jammy`), and their identities always carry the codename when the
 * table below knows it, since Debian's advisories are keyed by codename.
 * Versions are normalised to what os-release says: Debian's VERSION_ID is the
 * major release ("12", even for 12.5), Ubuntu's the year.month ("22.04", even
 * for 22.04.3). Other distributions keep the version as given (AlmaLinux's
 * VERSION_ID is "9.4", Alpine's "3.19.1"). prettyName is null: a spec is not
 * a release file.
 */
import { PatchloopError } from '../error/codes.js';
import type { OsIdentity } from './model.js';
import type { OsRelease } from './os-release.js';

/** Debian releases by major version (https://www.debian.org/releases/). */
const DEBIAN: Readonly<Record<string, string>> = {
  '7': 'wheezy',
  '8': 'jessie',
  '9': 'stretch',
  '10': 'buster',
  '11': 'bullseye',
  '12': 'bookworm',
  '13': 'trixie',
  '14': 'forky',
};

/** Ubuntu releases, LTS and interim, 14.04–26.04 (https://wiki.ubuntu.com/Releases). */
const UBUNTU: Readonly<Record<string, string>> = {
  '14.04': 'trusty',
  '14.10': 'utopic',
  '15.04': 'vivid',
  '15.10': 'wily',
  '16.04': 'xenial',
  '16.10': 'yakkety',
  '17.04': 'zesty',
  '17.10': 'artful',
  '18.04': 'bionic',
  '18.10': 'cosmic',
  '19.04': 'disco',
  '19.10': 'eoan',
  '20.04': 'focal',
  '20.10': 'groovy',
  '21.04': 'hirsute',
  '21.10': 'impish',
  '22.04': 'jammy',
  '22.10': 'kinetic',
  '23.04': 'lunar',
  '23.10': 'mantic',
  '24.04': 'noble',
  '24.10': 'oracular',
  '25.04': 'plucky',
  '25.10': 'questing',
  '26.04': 'resolute',
};

/** Codenames by os-release ID and release (Debian's major, Ubuntu's year.month). */
export const OS_CODENAMES: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  debian: DEBIAN,
  ubuntu: UBUNTU,
};

/** The codename of a Debian or Ubuntu version ("12.5" → "bookworm", "22.04.3" → "jammy"), or null. */
export function osCodenameFor(id: string, versionId: string): string | null {
  const key = releaseKey(id, versionId);
  return key === null ? null : (OS_CODENAMES[id]?.[key] ?? null);
}

/** The version a Debian or Ubuntu codename stands for ("bookworm" → "12"), or null. */
export function osVersionForCodename(id: string, codename: string): string | null {
  const table = OS_CODENAMES[id];
  if (table === undefined) return null;
  const hit = Object.entries(table).find(([, name]) => name === codename.toLowerCase());
  return hit === undefined ? null : hit[0];
}

/** The table key of a version: Debian's major, Ubuntu's year.month; null when it has no such shape. */
function releaseKey(id: string, versionId: string): string | null {
  if (id === 'debian') return /^(\d+)(?:\.\d+)*$/.exec(versionId)?.[1] ?? null;
  if (id === 'ubuntu') return /^(\d{2}\.\d{2})(?:\.\d+)?$/.exec(versionId)?.[1] ?? null;
  return null;
}

const SPEC = /^([a-z0-9][a-z0-9._-]*):([a-z0-9][a-z0-9._~+-]*)$/;

function invalid(spec: string, reason: string): PatchloopError {
  return new PatchloopError('PL_OS_SPEC_INVALID', `invalid --os ${JSON.stringify(spec)}: ${reason}`, {
    spec,
    reason,
  });
}

/** Reads `id:version` or `debian|ubuntu:codename`; throws PL_OS_SPEC_INVALID. */
export function parseOsSpec(spec: string): OsIdentity {
  const m = SPEC.exec(spec.trim().toLowerCase());
  if (m === null) {
    throw invalid(spec, 'expected id:version, for example debian:12, ubuntu:22.04, almalinux:9, alpine:3.19');
  }
  const id = m[1] as string;
  const version = m[2] as string;
  const table = OS_CODENAMES[id];
  if (table !== undefined && /^[a-z]/.test(version)) {
    const versionId = osVersionForCodename(id, version);
    if (versionId === null) {
      const known = Object.values(table).join(', ');
      throw invalid(spec, `unknown ${id} codename "${version}" (known: ${known})`);
    }
    return { id, versionId, codename: version, prettyName: null };
  }
  if (!/^\d/.test(version)) throw invalid(spec, 'the version must start with a digit');
  if (table !== undefined) {
    const versionId = releaseKey(id, version);
    if (versionId === null) {
      const shape = id === 'debian' ? 'a major version such as 12' : 'year.month such as 22.04';
      throw invalid(spec, `a ${id} version is ${shape}`);
    }
    return { id, versionId, codename: table[versionId] ?? null, prettyName: null };
  }
  return { id, versionId: version, codename: null, prettyName: null };
}

/**
 * The identity of a parsed os-release. A missing VERSION_CODENAME is filled
 * from the tables for Debian and Ubuntu (Debian 8 and older have none), and a
 * missing VERSION_ID from the codename (Debian testing names its codename
 * only); Debian sid has neither and keeps versionId ''.
 */
export function osIdentityFromRelease(osRelease: OsRelease): OsIdentity {
  const id = osRelease.id;
  let versionId = osRelease.versionId;
  let codename = osRelease.versionCodename === '' ? null : osRelease.versionCodename;
  if (codename === null) codename = osCodenameFor(id, versionId);
  if (versionId === '' && codename !== null) versionId = osVersionForCodename(id, codename) ?? '';
  return { id, versionId, codename, prettyName: osRelease.prettyName === '' ? null : osRelease.prettyName };
}
