/**
 * OSV ecosystem strings split into the model's `ecosystem` + `release`.
 *
 * The general rule is OSV's: the ecosystem is the part before the first ':',
 * the release is the rest ("Debian:12" → Debian / "12", "AlmaLinux:9" →
 * AlmaLinux / "9", "Alpine:v3.18" → Alpine / "v3.18", "Rocky Linux:9" →
 * Rocky Linux / "9", "npm" → npm / null).
 *
 * Ubuntu is the exception. Its OSV ecosystems are
 * `Ubuntu[:Pro[:<FIPS stream>]]:<version>[:LTS]`, e.g. "Ubuntu:22.04:LTS",
 * "Ubuntu:24.10", "Ubuntu:Pro:18.04:LTS", "Ubuntu:Pro:FIPS-updates:20.04:LTS".
 * The release becomes the version number, followed by the subscription
 * channel, lower-cased and ':'-separated, when there is one:
 *
 *   Ubuntu:22.04:LTS                     → "22.04"
 *   Ubuntu:24.10                         → "24.10"
 *   Ubuntu:Pro:18.04:LTS                 → "18.04:pro"
 *   Ubuntu:Pro:FIPS:18.04:LTS            → "18.04:pro:fips"
 *   Ubuntu:Pro:FIPS-updates:22.04:LTS    → "22.04:pro:fips-updates"
 *   Ubuntu:Pro:FIPS-preview:22.04:LTS    → "22.04:pro:fips-preview"
 *
 * - ":LTS" is dropped: it is implied by the version, and the feed is not even
 *   consistent about it (records modified before 2026-05 say "Ubuntu:26.04",
 *   later ones "Ubuntu:26.04:LTS" for the same release).
 * - Pro (ESM) and FIPS entries are kept apart from the plain release: their
 *   fixed versions exist only in the Pro archives ("+esm1", "~esm2"), so a host
 *   without Pro must not be told it can install them. The version comes first
 *   so `release.split(':')[0]` is always the host's VERSION_ID.
 */
import type { AffectedPackage } from '@patchloop/core';

export interface OsvEcosystem {
  /** "Ubuntu", "AlmaLinux", "Debian", "npm", … */
  readonly ecosystem: string;
  readonly release: string | null;
}

const UBUNTU_VERSION = /^\d+\.\d+$/;

export function splitOsvEcosystem(value: string): OsvEcosystem {
  const colon = value.indexOf(':');
  if (colon < 0) return { ecosystem: value, release: null };
  const ecosystem = value.slice(0, colon);
  const rest = value.slice(colon + 1);
  if (ecosystem !== 'Ubuntu') return { ecosystem, release: rest === '' ? null : rest };
  const parts = rest.split(':').filter((p) => p !== '');
  if (parts[parts.length - 1] === 'LTS') parts.pop();
  const versionAt = parts.findIndex((p) => UBUNTU_VERSION.test(p));
  if (versionAt < 0) return { ecosystem, release: rest === '' ? null : rest };
  const version = parts[versionAt] as string;
  const channel = [...parts.slice(0, versionAt), ...parts.slice(versionAt + 1)].map((p) => p.toLowerCase());
  return { ecosystem, release: [version, ...channel].join(':') };
}

/** Ecosystems whose OSV records name source packages. */
const SOURCE_PACKAGE_ECOSYSTEMS: ReadonlySet<string> = new Set(['Debian', 'Ubuntu', 'Alpine']);

/**
 * Debian and Ubuntu publish by source package (Ubuntu's purls say
 * `arch=source`); Alpine's records come from the secdb, which names aports
 * origin packages (osv.dev's purls say `arch=source`), matched against the
 * installed package's origin; RPM distributions name binary packages;
 * language ecosystems name the package as installed.
 */
export function packageKindFor(ecosystem: string): AffectedPackage['packageKind'] {
  return SOURCE_PACKAGE_ECOSYSTEMS.has(ecosystem) ? 'source' : 'binary';
}
