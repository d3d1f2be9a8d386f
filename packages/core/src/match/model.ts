/**
 * A finding: one advisory that applies to one installed package on a host,
 * with everything needed to explain it.
 */
import type { AdvisoryStatus } from './status.js';
import type { Classification, CvssVersion, FeedSource, Severity } from '../advisory/model.js';

export interface FindingAdvisory {
  readonly id: string;
  /** CVE ids first, then other ids. */
  readonly aliases: readonly string[];
  readonly source: FeedSource;
  readonly url: string | null;
  /** When the advisory record was last modified, as the feed says. */
  readonly modified: string | null;
  readonly classification: Classification;
}

export interface Finding {
  /** Binary package installed. */
  readonly package: string;
  /** Its architecture, when known (multilib hosts install one package for several). */
  readonly arch: string | null;
  readonly sourcePackage: string;
  readonly installedVersion: string;
  /** The version that fixes it, or null while there is no fix. */
  readonly fixedVersion: string | null;
  readonly status: AdvisoryStatus;
  readonly advisory: FindingAdvisory;
  /** Release the advisory entry is for, as the feed spells it ("buster", "9", "v3.10"). */
  readonly release: string | null;
  readonly severity: Severity | null;
  /** Highest CVSS base score among the advisory's CVEs, when known. */
  readonly cvss: {
    readonly score: number;
    readonly version: CvssVersion;
    readonly vector: string;
    readonly cve: string;
  } | null;
  readonly kev: {
    readonly cve: string;
    readonly dateAdded: string;
    readonly dueDate: string;
    readonly ransomware: boolean;
  } | null;
  readonly epss: { readonly cve: string; readonly score: number; readonly percentile: number } | null;
  /** One sentence: what is installed, what fixes it, which advisory, for which release. */
  readonly explanation: string;
}
