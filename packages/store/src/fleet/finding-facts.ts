/**
 * Finding facts (migration 0017): a finding's content is stored once in
 * `finding_fact`, addressed by a hash of it, and its risk detail once in
 * `risk_detail`; hosts link to them (`host_finding`). The hash is md5 of the
 * text PostgreSQL prints for the jsonb array of the fact's columns — what the
 * migration computed for the old rows (FACT_HASH) — but computed here, so that
 * an assessment sends 32 hex digits per finding to look its fact up, and the
 * finding's JSON only when the fact is new.
 */
import { createHash } from 'node:crypto';
import type { Queryable } from '../db.js';

/** SQL: the hash of a fact over its columns (0017 computed it so; factHash is its equal in JS). */
export const FACT_HASH = (cols: readonly string[]) => `md5(jsonb_build_array(${cols.join(', ')})::text)`;

const NON_ASCII = /[^\p{ASCII}]/u;

/** Collation jsonb orders object keys by: shorter first (in UTF-8 bytes), then bytewise. */
function jsonbKeyOrder(a: string, b: string): number {
  const d = Buffer.byteLength(a, 'utf8') - Buffer.byteLength(b, 'utf8');
  if (d !== 0) return d;
  if (!NON_ASCII.test(a) && !NON_ASCII.test(b)) return a < b ? -1 : a > b ? 1 : 0;
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/** A JSON number as PostgreSQL's numeric prints it: positional, never an exponent. */
function numericText(n: number): string {
  const s = JSON.stringify(n);
  const m = /^(-?)(\d+)(?:\.(\d+))?e([+-]\d+)$/.exec(s);
  if (!m) return s;
  const [, sign, int, frac = '', exp] = m as unknown as [string, string, string, string | undefined, string];
  const digits = int + frac;
  const point = int.length + Number(exp);
  if (point <= 0) return `${sign}0.${'0'.repeat(-point)}${digits}`;
  if (point >= digits.length) return `${sign}${digits}${'0'.repeat(point - digits.length)}`;
  return `${sign}${digits.slice(0, point)}.${digits.slice(point)}`;
}

/** What JSON.stringify drops from an object (and writes as null in an array). */
const dropped = (v: unknown) => v === undefined || typeof v === 'function' || typeof v === 'symbol';

function jsonbTextOf(value: unknown): string {
  const v =
    value !== null &&
    typeof value === 'object' &&
    typeof (value as { toJSON?: unknown }).toJSON === 'function'
      ? (value as { toJSON: () => unknown }).toJSON()
      : value;
  if (v === null) return 'null';
  if (typeof v === 'number') return Number.isFinite(v) ? numericText(v) : 'null';
  if (typeof v === 'string' || typeof v === 'boolean') return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map((x) => (dropped(x) ? 'null' : jsonbTextOf(x))).join(', ')}]`;
  const o = v as Record<string, unknown>;
  const keys = Object.keys(o)
    .filter((k) => !dropped(o[k]))
    .sort(jsonbKeyOrder);
  return `{${keys.map((k) => `${JSON.stringify(k)}: ${jsonbTextOf(o[k])}`).join(', ')}}`;
}

/**
 * The text PostgreSQL prints for `value` stored as jsonb (`value::jsonb::text`)
 * when it is sent as JSON.stringify's text: keys ordered by byte length then
 * bytes, `", "` and `": "` between items, numbers positional.
 */
export function jsonbText(value: unknown): string {
  return jsonbTextOf(value);
}

const md5 = (text: string) => createHash('md5').update(text, 'utf8').digest('hex');

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
  /** findingJson of the finding (or its JSON text). */
  readonly data: Record<string, unknown> | string;
  /** The risk's factors and explanation (or their JSON text), null when not scored. */
  readonly risk: Record<string, unknown> | string | null;
}

const parsed = (v: Record<string, unknown> | string) =>
  typeof v === 'string' ? (JSON.parse(v) as unknown) : v;

/**
 * Hashes already computed, by the content's JSON.stringify text: hosts of one release share nearly all
 * their facts, and writing the jsonb text of each (keys sorted, numbers re-printed) was a third of
 * an assessment's time in the worker. Equal JSON text is equal JSON, so equal jsonb text: the memo can
 * never give another content's hash. Bounded: past MEMO_MAX entries it starts over.
 */
const MEMO_MAX = 50_000;
const hashes = new Map<string, string>();
function memoized(key: string, compute: () => string): string {
  let h = hashes.get(key);
  if (h === undefined) {
    if (hashes.size >= MEMO_MAX) hashes.clear();
    h = compute();
    hashes.set(key, h);
  }
  return h;
}

/** The fact's hash: equal to FACT_HASH over its stored columns. */
export function factHash(c: FactContent): string {
  const columns = [
    c.advisoryId,
    c.package,
    c.arch,
    c.installedVersion,
    c.fixedVersion,
    c.status,
    c.severity,
    c.kev,
  ] as const;
  return memoized(`f${JSON.stringify([...columns, c.data])}`, () =>
    md5(jsonbText([...columns, parsed(c.data)])),
  );
}

/** A risk detail's hash: md5 of its jsonb text (as 0017 computed it). */
export function riskHash(detail: Record<string, unknown> | string): string {
  return memoized(`r${JSON.stringify(detail)}`, () => md5(jsonbText(parsed(detail))));
}

export interface FactRef {
  readonly factId: number;
  readonly keyId: number;
  readonly riskId: number | null;
}

const json = (v: Record<string, unknown> | string) => (typeof v === 'string' ? v : JSON.stringify(v));

/** Inserts the facts not stored yet (in hash order: see storeFacts); returns how many it inserted. */
async function insertFacts(q: Queryable, rows: readonly (FactContent & { hash: string })[]): Promise<number> {
  const byHash = new Map(rows.map((r) => [r.hash, r]));
  const list = [...byHash.values()].sort((a, b) => (a.hash < b.hash ? -1 : a.hash > b.hash ? 1 : 0));
  const cols = [list.map((r) => r.advisoryId), list.map((r) => r.package), list.map((r) => r.arch)];
  await q.query(
    `INSERT INTO finding_key (advisory_id, package, arch)
     SELECT DISTINCT a, p, ar FROM unnest($1::text[], $2::text[], $3::text[]) AS t(a, p, ar)
     WHERE NOT EXISTS (SELECT 1 FROM finding_key k WHERE k.advisory_id = t.a AND k.package = t.p AND k.arch = t.ar)
     ORDER BY a, p, ar
     ON CONFLICT DO NOTHING`,
    cols,
  );
  const ins = await q.query(
    `INSERT INTO finding_fact (hash, key_id, advisory_id, package, arch, installed_version, fixed_version, status,
       severity, kev, data)
     SELECT t.h, k.id, t.a, t.p, t.ar, t.iv, t.fv, t.st, t.sv, t.k, t.d::jsonb
     FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::boolean[],
       $9::text[], $10::text[]) WITH ORDINALITY AS t(a, p, ar, iv, fv, st, sv, k, d, h, ord)
     JOIN finding_key k ON k.advisory_id = t.a AND k.package = t.p AND k.arch = t.ar
     ORDER BY t.ord
     ON CONFLICT (hash) DO NOTHING`,
    [
      ...cols,
      list.map((r) => r.installedVersion),
      list.map((r) => r.fixedVersion),
      list.map((r) => r.status),
      list.map((r) => r.severity),
      list.map((r) => r.kev),
      list.map((r) => json(r.data)),
      list.map((r) => r.hash),
    ],
  );
  return ins.affectedRows;
}

/**
 * The fact, key and risk detail of each row (in order), inserting those not
 * stored yet: a fact or detail already stored costs its hash in one lookup
 * and no write. New rows are inserted in hash order (keys in key order), so
 * that two transactions inserting the same new facts wait for each other
 * instead of deadlocking; a row another transaction inserted meanwhile is
 * found by the second lookup (ON CONFLICT waits for it to commit).
 */
export async function storeFacts(
  q: Queryable,
  rows: readonly FactContent[],
): Promise<{ refs: FactRef[]; factsAdded: number; risksAdded: number }> {
  if (rows.length === 0) return { refs: [], factsAdded: 0, risksAdded: 0 };
  const hashed = rows.map((r) => ({
    ...r,
    hash: factHash(r),
    rhash: r.risk === null ? null : riskHash(r.risk),
  }));
  const lookUp = async () => {
    const r = await q.query<{ kind: 'fact' | 'risk'; hash: string; id: number; key_id: number | null }>(
      `SELECT 'fact' AS kind, hash, id, key_id FROM finding_fact WHERE hash = ANY($1::text[])
       UNION ALL
       SELECT 'risk', hash, id, NULL FROM risk_detail WHERE hash = ANY($2::text[])`,
      [
        [...new Set(hashed.map((h) => h.hash))],
        [...new Set(hashed.flatMap((h) => (h.rhash ? [h.rhash] : [])))],
      ],
    );
    return {
      facts: new Map(r.rows.filter((x) => x.kind === 'fact').map((x) => [x.hash, x])),
      risks: new Map(r.rows.filter((x) => x.kind === 'risk').map((x) => [x.hash, Number(x.id)])),
    };
  };
  let found = await lookUp();
  const newFacts = hashed.filter((h) => !found.facts.has(h.hash));
  const newRisks = new Map<string, string>();
  for (const h of hashed) {
    if (h.rhash !== null && h.risk !== null && !found.risks.has(h.rhash)) newRisks.set(h.rhash, json(h.risk));
  }
  const factsAdded = newFacts.length > 0 ? await insertFacts(q, newFacts) : 0;
  let risksAdded = 0;
  if (newRisks.size > 0) {
    const list = [...newRisks].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    const ins = await q.query(
      `INSERT INTO risk_detail (hash, detail)
       SELECT h, d::jsonb FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS t(h, d, ord) ORDER BY ord
       ON CONFLICT (hash) DO NOTHING`,
      [list.map(([h]) => h), list.map(([, d]) => d)],
    );
    risksAdded = ins.affectedRows;
  }
  if (newFacts.length > 0 || newRisks.size > 0) found = await lookUp();
  const refs = hashed.map((h) => {
    const fact = found.facts.get(h.hash);
    const riskId = h.rhash === null ? null : found.risks.get(h.rhash);
    if (!fact || fact.key_id === null || riskId === undefined) {
      throw new Error(`finding fact ${h.hash} was neither found nor inserted`);
    }
    return { factId: Number(fact.id), keyId: Number(fact.key_id), riskId };
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
  await refreshHostSummaries(q, [...new Set(rows.map((x) => x.hostId))]);
  return r.rows.map((x) => Number(x.id)).sort((a, b) => a - b);
}

/**
 * These hosts' finding class and open counts (findings.ts) computed from their open links, as migration
 * 0021 filled them: for links written other than by an assessment (insertFindingRows). The class text
 * differs from an assessment's ('m' and md5): equal content may be two classes, never one class two.
 */
export async function refreshHostSummaries(q: Queryable, hostIds: readonly number[]): Promise<void> {
  if (hostIds.length === 0) return;
  await q.query(
    `UPDATE host h SET
       finding_class = 'm' || (SELECT md5(coalesce(string_agg(l.fact_id::text || ':' || coalesce(l.risk_score::text, ''),
                                  ',' ORDER BY l.fact_id), ''))
                               FROM host_finding l WHERE l.host_id = h.id AND l.resolved_at IS NULL),
       open_counts = (SELECT jsonb_build_object('total', 0, 'kev', 0) || coalesce(jsonb_object_agg(x.k, x.n), '{}')
                      FROM (SELECT k.k, count(*)::int AS n
                            FROM host_finding l JOIN finding_fact ff ON ff.id = l.fact_id
                            CROSS JOIN LATERAL (VALUES ('total'), (CASE WHEN ff.kev THEN 'kev' END),
                              ('p:' || l.priority), (CASE WHEN ff.kev THEN 'pk:' || l.priority END)) AS k(k)
                            WHERE l.host_id = h.id AND l.resolved_at IS NULL AND k.k IS NOT NULL
                            GROUP BY k.k) x)
     WHERE h.id = ANY($1::bigint[])`,
    [[...hostIds]],
  );
}
