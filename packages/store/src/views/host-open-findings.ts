/** A host's open findings as its patch catalogue (core/remediation classifyUpdates) reads them. */
import type { Finding, Severity } from '@patchloop/core';
import type { Queryable } from '../db.js';

export interface CatalogueFindingRow {
  readonly package: string;
  readonly advisoryId: string;
  readonly fixedVersion: string | null;
  readonly severity: Severity | null;
  /** In CISA's Known Exploited Vulnerabilities catalogue. */
  readonly kev: boolean;
}

/** The open findings of one host, read from each finding as the scan wrote it (`finding.data`). */
export async function openFindingsForCatalogue(q: Queryable, hostId: number): Promise<CatalogueFindingRow[]> {
  const r = await q.query<{
    data: Pick<Finding, 'package' | 'fixedVersion' | 'severity' | 'kev'> & { advisory: { id: string } };
  }>('SELECT data FROM finding WHERE host_id = $1 AND resolved_at IS NULL', [hostId]);
  return r.rows.map(({ data: d }) => ({
    package: d.package,
    advisoryId: d.advisory.id,
    fixedVersion: d.fixedVersion,
    severity: d.severity,
    kev: d.kev !== null,
  }));
}
