/**
 * Findings with history: an assessment's findings are merged into the open
 * ones (new → opened with first_seen, gone → resolved_at set, still there →
 * refreshed), so time to remediate can be measured.
 */
import type { Finding } from '@patchloop/core';
import type { Queryable } from '../db.js';

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

const keyOf = (advisoryId: string, pkg: string, arch: string) => `${advisoryId}\u0000${pkg}\u0000${arch}`;

/**
 * Replaces the host's open findings with `findings` (each already in the
 * scan JSON shape in `json`). `due` gives a finding's SLA due date from its
 * first-seen time (kept for findings already open). Returns how many were
 * opened and resolved.
 */
export async function syncHostFindings(
  q: Queryable,
  hostId: number,
  findings: readonly StoredFinding[],
  now: Date,
  due: (f: StoredFinding, firstSeen: Date) => SlaDue | null = () => null,
): Promise<{ opened: number; resolved: number; open: number }> {
  const open = await q.query<{
    id: number;
    advisory_id: string;
    package: string;
    arch: string;
    first_seen: string;
  }>(
    'SELECT id, advisory_id, package, arch, first_seen FROM finding WHERE host_id = $1 AND resolved_at IS NULL',
    [hostId],
  );
  const byKey = new Map(open.rows.map((r) => [keyOf(r.advisory_id, r.package, r.arch), r]));
  const seen = new Set<string>();
  const rows: { id: number | null; f: StoredFinding; firstSeen: Date }[] = [];
  for (const f of findings) {
    const k = keyOf(f.finding.advisory.id, f.finding.package, f.finding.arch ?? '');
    if (seen.has(k)) continue;
    seen.add(k);
    const existing = byKey.get(k);
    rows.push(
      existing
        ? { id: Number(existing.id), f, firstSeen: new Date(existing.first_seen) }
        : { id: null, f, firstSeen: now },
    );
  }
  const gone = [...byKey].filter(([k]) => !seen.has(k)).map(([, r]) => Number(r.id));
  if (gone.length > 0) {
    await q.query('UPDATE finding SET resolved_at = $2 WHERE id = ANY($1::bigint[])', [gone, now]);
  }
  const cols = (list: typeof rows) => {
    const dues = list.map((r) => due(r.f, r.firstSeen));
    return [
      list.map((r) => r.f.finding.advisory.id),
      list.map((r) => r.f.finding.package),
      list.map((r) => r.f.finding.arch ?? ''),
      list.map((r) => r.f.finding.installedVersion),
      list.map((r) => r.f.finding.fixedVersion),
      list.map((r) => r.f.finding.status),
      list.map((r) => r.f.finding.severity),
      list.map((r) => r.f.finding.kev !== null),
      list.map((r) => JSON.stringify(r.f.json)),
      list.map((r) => r.f.risk?.score ?? null),
      list.map((r) => r.f.risk?.priority ?? null),
      list.map((r) => (r.f.risk ? JSON.stringify(r.f.risk.detail) : null)),
      dues.map((d) => d?.dueAt ?? null),
      dues.map((d) => d?.basis ?? null),
    ];
  };
  const fresh = rows.filter((r) => r.id === null);
  const still = rows.filter((r) => r.id !== null);
  if (fresh.length > 0) {
    await q.query(
      `INSERT INTO finding (host_id, advisory_id, package, arch, installed_version, fixed_version, status, severity,
         kev, data, risk_score, priority, risk, due_at, sla_basis, first_seen, last_seen)
       SELECT $1, a, p, ar, iv, fv, st, sv, k, d::jsonb, rs, pr, rk::jsonb, du, sb, $16, $16
       FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[],
         $9::boolean[], $10::text[], $11::real[], $12::text[], $13::text[], $14::timestamptz[], $15::text[])
         AS t(a, p, ar, iv, fv, st, sv, k, d, rs, pr, rk, du, sb)`,
      [hostId, ...cols(fresh), now],
    );
  }
  if (still.length > 0) {
    const c = cols(still);
    await q.query(
      `UPDATE finding f SET installed_version = t.iv, fixed_version = t.fv, status = t.st, severity = t.sv,
         kev = t.k, data = t.d::jsonb, risk_score = t.rs, priority = t.pr, risk = t.rk::jsonb, due_at = t.du,
         sla_basis = t.sb, last_seen = $13
       FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::boolean[], $7::text[],
         $8::real[], $9::text[], $10::text[], $11::timestamptz[], $12::text[])
         AS t(id, iv, fv, st, sv, k, d, rs, pr, rk, du, sb)
       WHERE f.id = t.id`,
      [still.map((s) => s.id), c[3], c[4], c[5], c[6], c[7], c[8], c[9], c[10], c[11], c[12], c[13], now],
    );
  }
  return { opened: fresh.length, resolved: gone.length, open: seen.size };
}
