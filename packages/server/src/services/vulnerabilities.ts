/**
 * The fleet view per advisory: the store's rows (one sample finding per
 * advisory with its fleet-wide counts) as the API's vulnerability list.
 */
import type { Vulnerability, VulnerabilityQuery } from '@patchloop/contracts';
import { listVulnerabilities } from '@patchloop/store';
import type { ServerContext } from '../context.js';
import { CSV_PAGE, type Batches, type PageOf } from './csv.js';
import { memoizedRead } from './read-memo.js';

/** The vulnerabilities `q` selects, a page at a time (a CSV export reads every page). */
export function vulnerabilityPages(ctx: ServerContext, q: VulnerabilityQuery): PageOf<Vulnerability> {
  return async (offset, limit) => {
    const now = ctx.now();
    const filter = {
      kev: q.kev,
      severity: q.severity,
      q: q.q,
      priority: q.priority,
      sla: q.sla,
      sort: q.sort,
    };
    // A pass grouping every open finding: kept by the read memo while no finding or exception changes.
    const r = await memoizedRead(ctx, `vulnerabilities:${JSON.stringify([filter, offset, limit])}`, now, () =>
      listVulnerabilities(ctx.db, { ...filter, limit, offset, now }),
    );
    return {
      total: r.total,
      items: r.items.map((v) => {
        const s = v.sample;
        return {
          advisory: { ...s.advisory, aliases: [...s.advisory.aliases] },
          severity: s.severity,
          cvss: s.cvss,
          kev: s.kev,
          epss: s.epss,
          hosts: v.hosts,
          packages: v.packages,
          fixable: v.fixable,
          unfixed: v.unfixed,
          priority: v.priority as Vulnerability['priority'],
          dueAt: v.dueAt?.toISOString() ?? null,
          riskScore: v.riskScore,
        };
      }),
    };
  };
}

/**
 * Every vulnerability `q` selects, for a CSV export: the findings grouped once (one row per advisory,
 * so bounded by the advisories, not the findings), then given CSV_PAGE at a time — where offset pages
 * would group every finding again for each page.
 */
export async function* vulnerabilityBatches(
  ctx: ServerContext,
  q: VulnerabilityQuery,
): Batches<Vulnerability> {
  const all = await vulnerabilityPages(ctx, q)(0, Number.MAX_SAFE_INTEGER);
  for (let i = 0; i < all.items.length; i += CSV_PAGE) yield all.items.slice(i, i + CSV_PAGE);
}
