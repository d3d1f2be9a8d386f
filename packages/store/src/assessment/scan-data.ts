/**
 * Reads what assessing one host needs, and nothing more: the advisories
 * naming the host's packages for its ecosystem and releases, the enrichment
 * of their CVEs, and the end-of-life cycles of its product.
 */
import type { Advisory, AdvisoryTarget, CveRecord, EolCycle, EpssScore, KevEntry } from '@patchloop/core';
import type { Queryable } from '../db.js';

export interface ScanDataRequest {
  readonly targets: readonly AdvisoryTarget[];
  /** Package names advisories are keyed by (source or binary names, per family). */
  readonly packages: readonly string[];
  readonly eolProduct: string | null;
}

export interface ScanData {
  readonly advisories: Advisory[];
  /** How many advisories the store holds for each target (ecosystem and its releases), matching or not. */
  readonly advisoriesPerTarget: {
    readonly ecosystem: string;
    readonly releases: readonly string[];
    readonly count: number;
  }[];
  readonly cves: CveRecord[];
  readonly kev: KevEntry[];
  readonly epss: EpssScore[];
  readonly eol: EolCycle[];
}

export async function loadScanData(db: Queryable, req: ScanDataRequest): Promise<ScanData> {
  const advisories: Advisory[] = [];
  const advisoriesPerTarget: ScanData['advisoriesPerTarget'] = [];
  for (const t of req.targets) {
    const held = await db.query<{ n: number }>(
      `SELECT count(DISTINCT (source, advisory_id))::int AS n FROM advisory_package
       WHERE ecosystem = $1 AND release = ANY($2::text[])`,
      [t.ecosystem, t.releases],
    );
    advisoriesPerTarget.push({ ecosystem: t.ecosystem, releases: t.releases, count: held.rows[0]?.n ?? 0 });
    const r = await db.query<{ doc: Advisory }>(
      `SELECT a.doc FROM advisory a
       WHERE a.withdrawn IS NULL AND (a.source, a.id) IN (
         SELECT p.source, p.advisory_id FROM advisory_package p
         WHERE p.ecosystem = $1 AND p.release = ANY($2::text[]) AND p.package = ANY($3::text[]))
       ORDER BY a.source, a.id`,
      [t.ecosystem, t.releases, [...new Set(req.packages)]],
    );
    advisories.push(...r.rows.map((row) => row.doc));
  }
  const cveIds = [
    ...new Set(advisories.flatMap((a) => [a.id, ...a.aliases]).filter((id) => id.startsWith('CVE-'))),
  ].sort();
  const [cves, kev, epss, eol] = await Promise.all([
    db.query<{ doc: CveRecord }>('SELECT doc FROM cve WHERE id = ANY($1::text[])', [cveIds]),
    db.query<{ doc: KevEntry }>('SELECT doc FROM kev WHERE cve_id = ANY($1::text[])', [cveIds]),
    db.query<EpssScore>(
      'SELECT cve_id AS "cveId", epss, percentile FROM epss WHERE cve_id = ANY($1::text[])',
      [cveIds],
    ),
    req.eolProduct === null
      ? Promise.resolve({ rows: [] as { doc: EolCycle }[] })
      : db.query<{ doc: EolCycle }>('SELECT doc FROM eol_cycle WHERE product = $1', [req.eolProduct]),
  ]);
  return {
    advisories,
    advisoriesPerTarget,
    cves: cves.rows.map((r) => r.doc),
    kev: kev.rows.map((r) => r.doc),
    epss: epss.rows,
    eol: eol.rows.map((r) => r.doc),
  };
}
