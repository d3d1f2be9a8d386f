/**
 * Findings with history: an assessment's findings are merged into the host's
 * open links (new → opened with first_seen, gone → resolved_at set, still
 * there → moved to its current fact and risk when they changed), so time to
 * remediate can be measured. Content lives in shared facts (finding-facts.ts).
 */
import { createHash } from 'node:crypto';
import type { Finding } from '@patchloop/core';
import type { Queryable } from '../db.js';
import { storeFacts } from './finding-facts.js';

export interface FindingRisk {
  readonly score: number;
  readonly priority: string;
  /** Factors and explanation, as core/risk gives them. */
  readonly detail: Record<string, unknown>;
}

export interface StoredFinding {
  readonly finding: Finding;
  readonly json: Record<string, unknown>;
  readonly risk?: FindingRisk | undefined;
}

export interface SlaDue {
  readonly dueAt: Date;
  readonly basis: string;
}

/** What one sync wrote. */
export interface SyncResult {
  /** Links opened (new findings). */
  readonly opened: number;
  /** Links resolved (gone findings). */
  readonly resolved: number;
  /** Open findings after the sync. */
  readonly open: number;
  /** Still-open links rewritten because their fact, risk, priority or due time changed. */
  readonly updated: number;
  /** Facts and risk details stored for the first time (shared by every host that has them). */
  readonly factsAdded: number;
  readonly risksAdded: number;
  /** The host's finding class after the sync (findingClass), written to host.finding_class. */
  readonly findingClass: string;
  /** Its open findings counted as host.open_counts keeps them (openCounts). */
  readonly openCounts: Record<string, number>;
}

/**
 * A host's open findings counted for the lists' totals (host.open_counts): `total`, `kev`, and per
 * priority `p:<P>` and `pk:<P>` (KEV ones). A list filtered by nothing else sums these over the
 * fleet's hosts instead of counting millions of links.
 */
export function openCounts(
  links: readonly { priority: string | null; kev: boolean }[],
): Record<string, number> {
  const c: Record<string, number> = { total: 0, kev: 0 };
  const add = (k: string) => (c[k] = (c[k] ?? 0) + 1);
  for (const l of links) {
    add('total');
    if (l.priority !== null) add(`p:${l.priority}`);
    if (l.kev) {
      add('kev');
      if (l.priority !== null) add(`pk:${l.priority}`);
    }
  }
  return c;
}

/**
 * The finding class of a host whose open links are `links`: a digest of their
 * (fact, risk score) pairs, sorted (so the links' order does not matter). Two hosts of one class have open
 * findings with the same content and risk (their first-seen and due times may
 * differ): what the remediation plan and the policy simulation read of them is
 * the same, so those read one host per class.
 */
export function findingClass(links: readonly { factId: number; riskScore: number | null }[]): string {
  const lines = links
    .map((l) => `${l.factId}:${l.riskScore === null ? '' : Math.fround(l.riskScore)}`)
    .sort();
  return createHash('sha1').update(lines.join('\n')).digest('base64url');
}

const time = (d: Date | string | null) => (d === null ? null : new Date(d).getTime());

/**
 * Replaces the host's open findings with `findings` (each already in the
 * scan JSON shape in `json`). `due` gives a finding's SLA due date from its
 * first-seen time (kept for findings already open), and the host's finding
 * class and open counts are kept with them. A sync that changes nothing
 * writes nothing: facts are looked up by hash, and a still-open link
 * is updated only when its fact, risk detail, score, priority or due time
 * differ.
 */
export async function syncHostFindings(
  q: Queryable,
  hostId: number,
  findings: readonly StoredFinding[],
  now: Date,
  due: (f: StoredFinding, firstSeen: Date) => SlaDue | null = () => null,
): Promise<SyncResult> {
  // One finding per (advisory, package, arch): the first, as before.
  const seenKeys = new Set<string>();
  const list: StoredFinding[] = [];
  for (const f of findings) {
    const k = `${f.finding.advisory.id}\u0000${f.finding.package}\u0000${f.finding.arch ?? ''}`;
    if (seenKeys.has(k)) continue;
    seenKeys.add(k);
    list.push(f);
  }
  const { refs, factsAdded, risksAdded } = await storeFacts(
    q,
    list.map((f) => ({
      advisoryId: f.finding.advisory.id,
      package: f.finding.package,
      arch: f.finding.arch ?? '',
      installedVersion: f.finding.installedVersion,
      fixedVersion: f.finding.fixedVersion,
      status: f.finding.status,
      severity: f.finding.severity,
      kev: f.finding.kev !== null,
      data: f.json,
      risk: f.risk ? f.risk.detail : null,
    })),
  );
  const open = await q.query<{
    id: number;
    key_id: number;
    fact_id: number;
    risk_id: number | null;
    risk_score: number | null;
    priority: string | null;
    due_at: Date | string | null;
    sla_basis: string | null;
    first_seen: Date | string;
  }>(
    `SELECT id, key_id, fact_id, risk_id, risk_score, priority, due_at, sla_basis, first_seen
     FROM host_finding WHERE host_id = $1 AND resolved_at IS NULL`,
    [hostId],
  );
  const byKey = new Map(open.rows.map((r) => [Number(r.key_id), r]));
  const fresh: { f: StoredFinding; ref: (typeof refs)[number]; due: SlaDue | null }[] = [];
  const changed: { id: number; f: StoredFinding; ref: (typeof refs)[number]; due: SlaDue | null }[] = [];
  const kept = new Set<number>();
  list.forEach((f, i) => {
    const ref = refs[i] as (typeof refs)[number];
    const link = byKey.get(ref.keyId);
    if (!link) {
      fresh.push({ f, ref, due: due(f, now) });
      return;
    }
    kept.add(ref.keyId);
    const d = due(f, new Date(link.first_seen));
    const score = f.risk?.score ?? null;
    const same =
      Number(link.fact_id) === ref.factId &&
      (link.risk_id === null ? null : Number(link.risk_id)) === ref.riskId &&
      (link.risk_score === null ? null : Math.fround(Number(link.risk_score))) ===
        (score === null ? null : Math.fround(score)) &&
      link.priority === (f.risk?.priority ?? null) &&
      time(link.due_at) === (d ? d.dueAt.getTime() : null) &&
      link.sla_basis === (d?.basis ?? null);
    if (!same) changed.push({ id: Number(link.id), f, ref, due: d });
  });
  const gone = open.rows.filter((r) => !kept.has(Number(r.key_id))).map((r) => Number(r.id));
  if (gone.length > 0) {
    await q.query('UPDATE host_finding SET resolved_at = $2 WHERE id = ANY($1::bigint[])', [gone, now]);
  }
  const cols = (rows: typeof fresh) => [
    rows.map((r) => r.ref.factId),
    rows.map((r) => r.ref.keyId),
    rows.map((r) => r.ref.riskId),
    rows.map((r) => r.f.risk?.score ?? null),
    rows.map((r) => r.f.risk?.priority ?? null),
    rows.map((r) => r.due?.dueAt ?? null),
    rows.map((r) => r.due?.basis ?? null),
  ];
  if (fresh.length > 0) {
    await q.query(
      `INSERT INTO host_finding (host_id, fact_id, key_id, risk_id, risk_score, priority, due_at, sla_basis, first_seen)
       SELECT $1, f, k, r, rs, pr, du, sb, $9
       FROM unnest($2::bigint[], $3::int[], $4::int[], $5::real[], $6::text[], $7::timestamptz[], $8::text[])
         AS t(f, k, r, rs, pr, du, sb)`,
      [hostId, ...cols(fresh), now],
    );
  }
  if (changed.length > 0) {
    await q.query(
      `UPDATE host_finding l SET fact_id = t.f, risk_id = t.r, risk_score = t.rs, priority = t.pr, due_at = t.du,
         sla_basis = t.sb
       FROM unnest($1::bigint[], $2::bigint[], $3::int[], $4::int[], $5::real[], $6::text[], $7::timestamptz[],
         $8::text[]) AS t(id, f, k, r, rs, pr, du, sb)
       WHERE l.id = t.id`,
      [changed.map((c) => c.id), ...cols(changed)],
    );
  }
  // What the host's open links are now, summed up on the host (the lists' classes and totals), by the
  // writer of the links: no other path changes them.
  const findingClassNow = findingClass(
    list.map((f, i) => ({
      factId: (refs[i] as (typeof refs)[number]).factId,
      riskScore: f.risk?.score ?? null,
    })),
  );
  const counts = openCounts(
    list.map((f) => ({ priority: f.risk?.priority ?? null, kev: f.finding.kev !== null })),
  );
  await q.query(
    `UPDATE host SET finding_class = $2, open_counts = $3::jsonb
     WHERE id = $1 AND (finding_class IS DISTINCT FROM $2 OR open_counts IS DISTINCT FROM $3::jsonb)`,
    [hostId, findingClassNow, JSON.stringify(counts)],
  );
  return {
    opened: fresh.length,
    resolved: gone.length,
    open: list.length,
    updated: changed.length,
    factsAdded,
    risksAdded,
    findingClass: findingClassNow,
    openCounts: counts,
  };
}
