/**
 * The result of assessing one host: what `patchloop scan` prints and the
 * server stores.
 */
import type { Inventory, OsIdentity } from '../inventory/model.js';
import type { Severity } from '../advisory/model.js';
import type { Finding } from './model.js';

export type EolStatus = 'supported' | 'eol-within-90-days' | 'security-support-ended' | 'eol' | 'unknown';

export interface EolAssessment {
  readonly status: EolStatus;
  /** endoflife.date product and cycle the host maps to ("debian", "10"), when known. */
  readonly product: string | null;
  readonly cycle: string | null;
  /** End of security support (YYYY-MM-DD), when known. */
  readonly eol: string | null;
  /** End of extended (paid/LTS) support, when the product has it. */
  readonly extendedSupportEnd: string | null;
  readonly explanation: string;
}

export interface ScanSummary {
  readonly packages: number;
  readonly findings: number;
  readonly fixable: number;
  readonly unfixed: number;
  readonly kev: number;
  readonly bySeverity: Readonly<Record<Severity | 'unknown', number>>;
  /** Packages not matched against distribution advisories (third-party). */
  readonly thirdParty: number;
}

export interface ScanReport {
  readonly host: {
    readonly os: OsIdentity | null;
    /** The advisory ecosystem and releases the host was matched against. */
    readonly matchedAs: { readonly ecosystem: string; readonly releases: readonly string[] } | null;
    readonly eol: EolAssessment;
  };
  readonly summary: ScanSummary;
  /** Sorted: severity (critical first), then package, then advisory id. */
  readonly findings: readonly Finding[];
  /** The inventory that was assessed (for SBOM output). */
  readonly inventory: Inventory;
  /** When the scan ran (ISO 8601), passed in by the caller. */
  readonly scannedAt: string;
}
