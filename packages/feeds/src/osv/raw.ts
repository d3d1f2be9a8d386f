/**
 * OSV JSON as published (https://ossf.github.io/osv-schema/, schema 1.x), with
 * the distribution-specific parts the parser reads: Ubuntu's
 * `ecosystem_specific` (binaries, priority) and `database_specific.cves_map`.
 * AlmaLinux publishes plain OSV (its severity is only in the summary prefix,
 * "Important: kernel security update"). Every field that the schema leaves
 * optional is optional here; the parser checks types before it trusts them.
 */

export interface OsvRecord {
  readonly schema_version?: string;
  readonly id: string;
  readonly modified: string;
  readonly published?: string;
  readonly withdrawn?: string;
  /** Other ids for the same vulnerability. */
  readonly aliases?: readonly string[];
  /**
   * Ids this record is derived from (OSV 1.7): a UBUNTU-CVE record names its
   * CVE, a USN names its UBUNTU-CVE records. Older records (OSV 1.6, AlmaLinux)
   * put the same ids in `related`.
   */
  readonly upstream?: readonly string[];
  readonly related?: readonly string[];
  readonly summary?: string;
  readonly details?: string;
  readonly severity?: readonly OsvSeverity[];
  readonly affected?: readonly OsvAffected[];
  readonly references?: readonly OsvReference[];
  readonly credits?: readonly unknown[];
  readonly database_specific?: Readonly<Record<string, unknown>>;
}

export interface OsvSeverity {
  /** "CVSS_V2", "CVSS_V3", "CVSS_V4", or a distro's own, e.g. "Ubuntu" (score "medium"). */
  readonly type: string;
  readonly score: string;
}

export interface OsvPackage {
  /** "AlmaLinux:9", "Ubuntu:22.04:LTS", "Ubuntu:Pro:FIPS-updates:18.04:LTS", "Debian:12", "npm", … */
  readonly ecosystem: string;
  readonly name: string;
  readonly purl?: string;
}

export interface OsvAffected {
  readonly package?: OsvPackage;
  readonly severity?: readonly OsvSeverity[];
  readonly ranges?: readonly OsvRange[];
  readonly versions?: readonly string[];
  readonly ecosystem_specific?: OsvUbuntuEcosystemSpecific & Readonly<Record<string, unknown>>;
  readonly database_specific?: OsvUbuntuDatabaseSpecific & Readonly<Record<string, unknown>>;
}

export type OsvRangeType = 'ECOSYSTEM' | 'SEMVER' | 'GIT';

export interface OsvRange {
  readonly type: OsvRangeType;
  /** GIT ranges only. */
  readonly repo?: string;
  readonly events: readonly OsvEvent[];
  readonly database_specific?: Readonly<Record<string, unknown>>;
}

/** Exactly one key is set. */
export interface OsvEvent {
  readonly introduced?: string;
  readonly fixed?: string;
  readonly last_affected?: string;
  readonly limit?: string;
}

export interface OsvReference {
  /** ADVISORY, ARTICLE, DETECTION, DISCUSSION, REPORT, FIX, INTRODUCED, PACKAGE, EVIDENCE, WEB */
  readonly type: string;
  readonly url: string;
}

/** Ubuntu: `affected[].ecosystem_specific`. */
export interface OsvUbuntuEcosystemSpecific {
  /** Binary packages built from the source package, with their fixed versions. */
  readonly binaries?: readonly { readonly binary_name: string; readonly binary_version: string }[];
  /** "No subscription required", "Available with Ubuntu Pro: https://ubuntu.com/pro", … */
  readonly availability?: string;
  /** UBUNTU-CVE records before OSV 1.7: negligible, low, medium, high, critical. */
  readonly ubuntu_priority?: string;
  readonly priority_reason?: string;
}

/** Ubuntu USN: `affected[].database_specific`, the CVEs the notice fixes in this release. */
export interface OsvUbuntuDatabaseSpecific {
  readonly cves_map?: {
    readonly ecosystem: string;
    readonly cves: readonly { readonly id: string; readonly severity?: readonly OsvSeverity[] }[];
  };
}
