/**
 * Wire format of CISA's Known Exploited Vulnerabilities catalog,
 * https://www.cisa.gov/sites/default/files/feeds/known_exploited_vulnerabilities.json, as described
 * by its JSON schema (known_exploited_vulnerabilities_schema.json in cisagov/kev-data). A CSV of the
 * same data is published beside it; the JSON is the one parsed.
 */

export interface RawKevVulnerability {
  /** `CVE-YYYY-NNNN…` (4 to 19 digits). */
  readonly cveID: string;
  readonly vendorProject: string;
  readonly product: string;
  readonly vulnerabilityName: string;
  /** YYYY-MM-DD */
  readonly dateAdded: string;
  readonly shortDescription: string;
  readonly requiredAction: string;
  /** YYYY-MM-DD */
  readonly dueDate: string;
  /** `Known` or `Unknown` (optional in the schema). */
  readonly knownRansomwareCampaignUse?: string;
  readonly notes?: string;
  /** `CWE-NNN` (optional in the schema). */
  readonly cwes?: readonly string[];
}

export interface RawKevCatalog {
  readonly title?: string;
  /** `2025.08.25` */
  readonly catalogVersion: string;
  /** `2025-08-25T17:04:19.9796Z` */
  readonly dateReleased: string;
  readonly count: number;
  readonly vulnerabilities: readonly RawKevVulnerability[];
}
