/**
 * An OS family: how a host's packages are matched against its
 * distribution's advisories. One driver per family in match/os/; the
 * families are registered in list.ts.
 */
import type { InstalledPackage, OsIdentity, PackageManager } from '../inventory/model.js';
import type { SchemeName } from '../version/scheme.js';

export interface AdvisoryTarget {
  /** OSV ecosystem name the advisories use ("Debian", "Ubuntu", "AlmaLinux", "Alpine"). */
  readonly ecosystem: string;
  /** Release spellings the feeds use for this host ("buster" and "10"; "v3.10"; "9"). */
  readonly releases: readonly string[];
}

export interface OsFamily {
  readonly name: 'debian' | 'ubuntu' | 'rhel' | 'alpine';
  /** os-release IDs of the family. */
  readonly osIds: readonly string[];
  readonly manager: PackageManager;
  readonly scheme: SchemeName;
  /** Whether advisories name source packages (Debian, Ubuntu, Alpine origins) or binary ones (RPM). */
  readonly matchBy: 'source' | 'binary';
  /** The advisory ecosystems and releases that apply to the host, most specific first. */
  targets(os: OsIdentity): AdvisoryTarget[];
  /** endoflife.date product and cycle for the host. */
  eolCycle(os: OsIdentity): { product: string; cycle: string } | null;
  /**
   * Why a package is not the distribution's (so distribution advisories do
   * not apply), or null when it is.
   */
  thirdParty(pkg: InstalledPackage, os: OsIdentity): string | null;
  /** Adjusts a fixed version from a rebuild's advisory to the host's distribution (e.g. AlmaLinux's ".alma.1"). */
  fixedVersionFor(fixed: string, target: AdvisoryTarget, os: OsIdentity): string;
}
