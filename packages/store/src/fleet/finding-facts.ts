/**
 * Finding facts (migration 0017): a finding's content is stored once in
 * `finding_fact`, addressed by a hash of it, and its risk detail once in
 * `risk_detail`; hosts link to them (`host_finding`). The hash is computed by
 * SQL, with the same expression the migration used on the old rows, so a
 * migrated fact and a freshly assessed identical one are the same row.
 */
import type { Queryable } from '../db.js';

/** SQL: the hash of a fact, over its columns (jsonb's text form is canonical: key order, spacing). */
export const FACT_HASH = (
  a: string,
  p: string,
  ar: string,
  iv: string,
  fv: string,
  st: string,
  sv: string,
  k: string,
  d: string,
) => `md5(jsonb_build_array(${a}, ${p}, ${ar}, ${iv}, ${fv}, ${st}, ${sv}, ${k}, ${d})::text)`;

/** A finding's content: what its fact holds. */
export interface FactContent {
  readonly advisoryId: string;
  readonly package: string;
  readonly arch: string;
  readonly installedVersion: string;
  readonly fixedVersion: string | null;
  readonly status: string;
  readonly severity: string | null;
  readonly kev: boolean;
  /** findingJson of the finding, as JSON text. */
  readonly data: string;
  /** The risk's factors and explanation as JSON text, null when not scored. */
  readonly risk: string | null;
}

export interface FactRef {
  readonly factId: number;
  readonly keyId: number;
  readonly riskId: number | null;
}

/** The fact columns of `rows` as unnest's parameter arrays ($1..$10, text). */
const contentParams = (rows: readonly FactContent[]) => [
  rows.map((r) => r.advisoryId),
  rows.map((r) => r.package),
  rows.map((r) => r.arch),
  rows.map((r) => r.installedVersion),
  rows.map((r) => r.fixedVersion),
  rows.map((r) => r.status),
  rows.map((r) => r.severity),
  rows.map((r) => r.kev),
  rows.map((r) => r.data),
  rows.map((r) => r.risk),
];

const CONTENT = `SELECT ord, a, p, ar, iv, fv, st, sv, k, d::jsonb AS d, rk::jsonb AS rk,
    ${FACT_HASH('a', 'p', 'ar', 'iv', 'fv', 'st', 'sv', 'k', 'd::jsonb')} AS hash, md5(rk::jsonb::text) AS rhash
  FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::boolean[],
    $9::text[], $10::text[]) WITH ORDINALITY AS t(a, p, ar, iv, fv, st, sv, k, d, rk, ord)`;

/** Looks the rows' facts and risk details up by hash (null where none is stored yet). */
async function lookUp(q: Queryable, params: unknown[]) {
  const r = await q.query<{
    ord: number;
    hash: string;
    rhash: string | null;
    fact_id: number | null;
    key_id: number | null;
    risk_id: number | null;
  }>(
    `SELECT t.ord, t.hash, t.rhash, ff.id AS fact_id, ff.key_id, r.id AS risk_id
     FROM (${CONTENT}) t LEFT JOIN finding_fact ff ON ff.hash = t.hash LEFT JOIN risk_detail r ON r.hash = t.rhash
     ORDER BY t.ord`,
    params,
  );
  return r.rows;
}

/**
 * The fact, key and risk detail of each row (in order), inserting those not
 * stored yet: a fact or detail already stored costs one lookup and no write.
 * New rows are inserted in hash order (keys in key order), so that two
 * transactions inserting the same new facts wait for each other instead of
 * deadlocking; a row another transaction inserted meanwhile is found by the
 * second lookup (ON CONFLICT waits for it to commit).
 */
export async function storeFacts(
  q: Queryable,
  rows: readonly FactContent[],
): Promise<{ refs: FactRef[]; factsAdded: number; risksAdded: number }> {
  if (rows.length === 0) return { refs: [], factsAdded: 0, risksAdded: 0 };
  const params = contentParams(rows);
  let found = await lookUp(q, params);
  let factsAdded = 0;
  let risksAdded = 0;
  const missingFact = found.some((r) => r.fact_id === null);
  const missingRisk = found.some((r) => r.risk_id === null && r.rhash !== null);
  if (missingFact) {
    const ords = found.filter((r) => r.fact_id === null).map((r) => Number(r.ord));
    await q.query(
      `INSERT INTO finding_key (advisory_id, package, arch)
       SELECT DISTINCT a, p, ar FROM (${CONTENT}) t
       WHERE t.ord = ANY($11::bigint[])
         AND NOT EXISTS (SELECT 1 FROM finding_key k WHERE k.advisory_id = t.a AND k.package = t.p AND k.arch = t.ar)
       ORDER BY a, p, ar
       ON CONFLICT DO NOTHING`,
      [...params, ords],
    );
    const ins = await q.query(
      `INSERT INTO finding_fact (hash, key_id, advisory_id, package, arch, installed_version, fixed_version, status,
         severity, kev, data)
       SELECT DISTINCT ON (t.hash) t.hash, k.id, t.a, t.p, t.ar, t.iv, t.fv, t.st, t.sv, t.k, t.d
       FROM (${CONTENT}) t JOIN finding_key k ON k.advisory_id = t.a AND k.package = t.p AND k.arch = t.ar
       WHERE t.ord = ANY($11::bigint[]) AND NOT EXISTS (SELECT 1 FROM finding_fact ff WHERE ff.hash = t.hash)
       ORDER BY t.hash
       ON CONFLICT (hash) DO NOTHING`,
      [...params, ords],
    );
    factsAdded = ins.affectedRows;
  }
  if (missingRisk) {
    const ords = found.filter((r) => r.risk_id === null && r.rhash !== null).map((r) => Number(r.ord));
    const ins = await q.query(
      `INSERT INTO risk_detail (hash, detail)
       SELECT DISTINCT ON (t.rhash) t.rhash, t.rk FROM (${CONTENT}) t
       WHERE t.ord = ANY($11::bigint[]) AND NOT EXISTS (SELECT 1 FROM risk_detail r WHERE r.hash = t.rhash)
       ORDER BY t.rhash
       ON CONFLICT (hash) DO NOTHING`,
      [...params, ords],
    );
    risksAdded = ins.affectedRows;
  }
  if (missingFact || missingRisk) found = await lookUp(q, params);
  const refs = found.map((r) => {
    if (r.fact_id === null || r.key_id === null || (r.rhash !== null && r.risk_id === null)) {
      throw new Error(`finding fact ${r.hash} was neither found nor inserted`);
    }
    return {
      factId: Number(r.fact_id),
      keyId: Number(r.key_id),
      riskId: r.risk_id === null ? null : Number(r.risk_id),
    };
  });
  return { refs, factsAdded, risksAdded };
}

/** A finding row with the columns of the old `finding` table (now a view), for seeding stores in bulk. */
export interface FindingRowInput extends FactContent {
  readonly hostId: number;
  readonly firstSeen: Date;
  readonly resolvedAt?: Date | null | undefined;
  readonly riskScore?: number | null | undefined;
  readonly priority?: string | null | undefined;
  readonly dueAt?: Date | null | undefined;
  readonly slaBasis?: string | null | undefined;
}

/**
 * Writes finding rows as they would have been inserted into the old table
 * (tests and benchmarks that seed a store without assessing): facts and risk
 * details stored once, one link per row, ids from the link sequence in row
 * order. Returns the ids.
 */
export async function insertFindingRows(q: Queryable, rows: readonly FindingRowInput[]): Promise<number[]> {
  if (rows.length === 0) return [];
  const { refs } = await storeFacts(q, rows);
  const r = await q.query<{ id: number }>(
    `INSERT INTO host_finding (host_id, fact_id, key_id, risk_id, first_seen, resolved_at, risk_score, priority,
       due_at, sla_basis)
     SELECT h, f, k, r, fs, ra, rs, pr, du, sb
     FROM unnest($1::bigint[], $2::bigint[], $3::int[], $4::int[], $5::timestamptz[], $6::timestamptz[], $7::real[],
       $8::text[], $9::timestamptz[], $10::text[]) WITH ORDINALITY AS t(h, f, k, r, fs, ra, rs, pr, du, sb, ord)
     ORDER BY ord
     RETURNING id`,
    [
      rows.map((x) => x.hostId),
      refs.map((x) => x.factId),
      refs.map((x) => x.keyId),
      refs.map((x) => x.riskId),
      rows.map((x) => x.firstSeen),
      rows.map((x) => x.resolvedAt ?? null),
      rows.map((x) => x.riskScore ?? null),
      rows.map((x) => x.priority ?? null),
      rows.map((x) => x.dueAt ?? null),
      rows.map((x) => x.slaBasis ?? null),
    ],
  );
  return r.rows.map((x) => Number(x.id)).sort((a, b) => a - b);
}
