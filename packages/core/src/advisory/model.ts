/**
 * The normalized vulnerability-intelligence model every feed parses into.
 * Advisories are OSV-shaped (https://ossf.github.io/osv-schema/): affected
 * packages carry ranges of events in the ecosystem's own version ordering.
 * Enrichment (CVE records with CVSS, KEV, EPSS) and end-of-life cycles sit
 * beside advisories, keyed by CVE id or product.
 */

import type { ErrorCode } from '../error/codes.js';
import type { Severity } from '../vocabulary/index.js';

/** Feed sources, as named on the command line and in the store. */
export const FEED_SOURCES = [
  'osv',
  'debian-dsa',
  'debian-dla',
  'alpine-secdb',
  'kev',
  'epss',
  'cve',
  'endoflife',
] as const;
export type FeedSource = (typeof FEED_SOURCES)[number];

/** Sources whose records are advisories (the others are enrichment). */
export const ADVISORY_SOURCES: readonly FeedSource[] = ['osv', 'debian-dsa', 'debian-dla', 'alpine-secdb'];

export type Classification = 'security' | 'bugfix' | 'enhancement';

export type { Severity };

/** OSV range event: exactly one key is set. */
export interface RangeEvent {
  readonly introduced?: string;
  readonly fixed?: string;
  readonly last_affected?: string;
  readonly limit?: string;
}

export interface AffectedRange {
  /** ECOSYSTEM (the distro's ordering), SEMVER, or GIT (not evaluated). */
  readonly type: 'ECOSYSTEM' | 'SEMVER' | 'GIT';
  readonly events: readonly RangeEvent[];
}

/**
 * What the advisory says about one package in one release:
 * - fixed: versions in `ranges` are affected; a fixed version exists.
 * - unfixed: affected and no fix yet (Debian `<unfixed>`, OSV without `fixed`).
 * - not-affected: this release was never affected (Debian `<not-affected>`).
 * - end-of-life: affected, and the release no longer gets fixes for it.
 */
export type AffectedStatus = 'fixed' | 'unfixed' | 'not-affected' | 'end-of-life';

export interface AffectedPackage {
  /** OSV ecosystem name without release: "Debian", "Ubuntu", "AlmaLinux", "Alpine", "npm", … */
  readonly ecosystem: string;
  /** Distro release as the feed names it ("bookworm", "12", "22.04", "9", "v3.11"), or null. */
  readonly release: string | null;
  readonly package: string;
  /** Whether `package` names a source package (Debian, Ubuntu) or a binary one (RPM, apk). */
  readonly packageKind: 'source' | 'binary';
  readonly status: AffectedStatus;
  readonly ranges: readonly AffectedRange[];
  /** Explicitly enumerated affected versions (OSV `versions`), if any. */
  readonly versions: readonly string[];
  /** The first fixed version, when there is exactly one obvious one (for display). */
  readonly fixedVersion: string | null;
  /** Severity the distro assigned for this package, when it gives one. */
  readonly severity: Severity | null;
}

export interface Reference {
  readonly type: string;
  readonly url: string;
}

export interface Advisory {
  /** DSA-4661-1, DLA-3001-1, USN-6000-1, UBUNTU-CVE-2024-1234, ALSA-2023:1234, ALPINE-CVE-…, GHSA-… */
  readonly id: string;
  readonly source: FeedSource;
  /** Other ids for the same issue, CVE ids first; sorted, unique, never containing `id`. */
  readonly aliases: readonly string[];
  readonly related: readonly string[];
  /** ISO 8601 timestamps (or dates) as published; null when the feed gives none. */
  readonly published: string | null;
  readonly modified: string | null;
  readonly withdrawn: string | null;
  readonly summary: string;
  readonly details: string;
  readonly classification: Classification;
  /** Overall severity the publisher gives (e.g. AlmaLinux "Important" → high), if any. */
  readonly severity: Severity | null;
  readonly affected: readonly AffectedPackage[];
  readonly references: readonly Reference[];
  /** Where a person reads the advisory upstream. */
  readonly url: string | null;
}

export type CvssVersion = '2.0' | '3.0' | '3.1' | '4.0';

export interface CvssMetric {
  readonly version: CvssVersion;
  readonly vector: string;
  /** Base score computed from the vector by the CVSS library. */
  readonly baseScore: number;
  readonly severity: Severity;
  /** The score the publisher stated, when it differs from the computed one. */
  readonly statedScore: number | null;
  /** Who gave it: "cna" or "adp:<shortName>" (e.g. "adp:CISA-ADP"), or "nvd". */
  readonly source: string;
}

export interface CveRecord {
  readonly id: string;
  readonly state: 'PUBLISHED' | 'REJECTED';
  readonly published: string | null;
  readonly modified: string | null;
  readonly assigner: string | null;
  readonly description: string;
  readonly cvss: readonly CvssMetric[];
  readonly cwes: readonly string[];
  readonly references: readonly string[];
}

export interface KevEntry {
  readonly cveId: string;
  readonly vendorProject: string;
  readonly product: string;
  readonly vulnerabilityName: string;
  /** YYYY-MM-DD */
  readonly dateAdded: string;
  /** YYYY-MM-DD: CISA's remediation due date for federal agencies. */
  readonly dueDate: string;
  readonly knownRansomwareCampaignUse: boolean;
  readonly requiredAction: string;
  readonly shortDescription: string;
  readonly notes: string;
  readonly cwes: readonly string[];
}

export interface EpssScore {
  readonly cveId: string;
  /** Probability of exploitation activity in the next 30 days, 0..1. */
  readonly epss: number;
  /** Percentile among all scored CVEs, 0..1. */
  readonly percentile: number;
}

export interface EpssFile {
  readonly modelVersion: string | null;
  /** YYYY-MM-DD, from the `#model_version:…,score_date:…` line when present. */
  readonly scoreDate: string | null;
  readonly scores: readonly EpssScore[];
}

export interface EolCycle {
  /** endoflife.date product id: "debian", "ubuntu", "almalinux", "alpine", … */
  readonly product: string;
  /** "12", "22.04", "3.19" */
  readonly cycle: string;
  readonly codename: string | null;
  readonly releaseDate: string | null;
  /** End of (security) support: a YYYY-MM-DD date, true (ended, date unknown) or false (not ended). */
  readonly eol: string | boolean;
  /** End of extended support (paid or LTS), when the product has it. */
  readonly eoes: string | boolean | null;
  /** End of active (non-security) support, when the product distinguishes it. */
  readonly support: string | boolean | null;
  readonly lts: boolean;
  readonly latest: string | null;
}

/**
 * One record a feed could not use, and why: the record is skipped and parsing
 * goes on. With `warning: true` the record was kept (e.g. without one bad CVSS
 * metric) and the problem is only reported.
 */
export interface FeedRecordError {
  /** File (or archive entry) the record came from. */
  readonly file: string;
  /** The record's id when known, else a line number or index like "line 42" / "#7". */
  readonly record: string;
  readonly code: FeedErrorCode;
  readonly reason: string;
  readonly warning?: boolean;
}

/** The feed error codes (PL_FEED_…) of the registry in error/codes.ts. */
export type FeedErrorCode = Extract<ErrorCode, `PL_FEED_${string}`>;

export interface ParseResult<T> {
  readonly records: T[];
  readonly errors: FeedRecordError[];
}
