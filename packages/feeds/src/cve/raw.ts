/**
 * CVE JSON 5 records as published by the CVE Program (CVEProject/cve-schema,
 * data versions 5.0 and 5.1; cvelistV5, and CISA's vulnrichment with its
 * "CISA ADP Vulnrichment" container). Only the parts the parser reads are
 * typed precisely; the rest of each container is left open.
 */

export interface CveRecordV5 {
  readonly dataType: 'CVE_RECORD';
  /** "5.0", "5.1", … */
  readonly dataVersion: string;
  readonly cveMetadata: CveMetadata;
  readonly containers: {
    readonly cna: CveContainer;
    readonly adp?: readonly CveContainer[];
  };
}

export interface CveMetadata {
  readonly cveId: string;
  readonly state: 'PUBLISHED' | 'REJECTED';
  readonly assignerOrgId: string;
  /** "mitre", "redhat", "GitHub_M", … */
  readonly assignerShortName?: string;
  readonly requesterUserId?: string;
  readonly serial?: number;
  /** ISO 8601, sometimes without a zone ("2024-05-02T21:17:22.890858"). */
  readonly dateReserved?: string;
  readonly datePublished?: string;
  readonly dateUpdated?: string;
  /** REJECTED records only. */
  readonly dateRejected?: string;
}

export interface ProviderMetadata {
  readonly orgId?: string;
  /** "CISA-ADP", "CVE" (the CVE Program container), or the CNA's short name. */
  readonly shortName?: string;
  readonly dateUpdated?: string;
}

/** The CNA container, or one ADP container (same shape; ADPs have fewer required fields). */
export interface CveContainer {
  readonly providerMetadata: ProviderMetadata;
  readonly title?: string;
  readonly descriptions?: readonly CveDescription[];
  /** REJECTED records: why the id was rejected. */
  readonly rejectedReasons?: readonly CveDescription[];
  readonly problemTypes?: readonly { readonly descriptions: readonly CveProblemTypeDescription[] }[];
  readonly references?: readonly CveReference[];
  readonly metrics?: readonly CveMetric[];
  readonly affected?: readonly unknown[];
  readonly [key: string]: unknown;
}

export interface CveDescription {
  /** BCP 47: "en", "en-US", "de", … (a few records say "eng"). */
  readonly lang: string;
  readonly value: string;
}

export interface CveProblemTypeDescription {
  readonly lang: string;
  readonly description: string;
  /** "CWE-79"; some CNAs leave it out and write "CWE-79 Cross-site Scripting" in `description`. */
  readonly cweId?: string;
  /** "CWE", "text", … (free text in practice). */
  readonly type?: string;
}

export interface CveReference {
  readonly url: string;
  readonly name?: string;
  readonly tags?: readonly string[];
}

/** One entry of `metrics`: one CVSS version (or `other`, e.g. CISA's SSVC), with optional scenarios. */
export interface CveMetric {
  readonly format?: string;
  readonly scenarios?: readonly CveDescription[];
  readonly cvssV2_0?: CveCvss;
  readonly cvssV3_0?: CveCvss;
  readonly cvssV3_1?: CveCvss;
  readonly cvssV4_0?: CveCvss;
  readonly other?: { readonly type: string; readonly content: unknown };
}

/** The CVSS JSON of FIRST's schemas; only these fields are read. */
export interface CveCvss {
  readonly version: string;
  /** v2 vectors have no "CVSS:" prefix ("AV:N/AC:L/Au:N/C:P/I:P/A:P"). */
  readonly vectorString: string;
  readonly baseScore: number;
  readonly baseSeverity?: string;
  readonly [metric: string]: unknown;
}

/** The metric keys that hold CVSS, in the order the parser reports them. */
export const CVSS_METRIC_KEYS = ['cvssV4_0', 'cvssV3_1', 'cvssV3_0', 'cvssV2_0'] as const;
