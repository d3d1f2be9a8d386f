/**
 * Bulk upserts of enrichment: CVE records (with their primary CVSS in
 * columns), CISA KEV, EPSS and end-of-life cycles, with change events: new
 * KEV entries, EPSS jumps, changed end-of-life dates.
 */
import { primaryCvss, type CveRecord, type EolCycle, type EpssFile, type KevEntry } from '@patchloop/core';
import type { Queryable } from '../db.js';
import { insertEvents } from './advisories.js';
import { mergeCve, storedCves, type CveOrigin } from './cve-merge.js';
import { chunks, contentHash, dedupe, toTimestamp, type UpsertCounts } from './rows.js';

/** An EPSS rise of at least this much (absolute probability) is a change event. */
export const DEFAULT_EPSS_JUMP = 0.1;

interface Changed {
  key: string;
  inserted: boolean;
}

function tally(batchSize: number, rows: Changed[], counts: UpsertCounts): void {
  const added = rows.filter((r) => r.inserted).length;
  counts.added += added;
  counts.modified += rows.length - added;
  counts.unchanged += batchSize - rows.length;
}

export async function upsertCves(
  tx: Queryable,
  records: readonly CveRecord[],
  now: Date,
  from: CveOrigin = 'cvelist',
) {
  const counts = { added: 0, modified: 0, unchanged: 0, events: 0, removed: 0 };
  for (const part of chunks(
    dedupe(records, (r) => r.id),
    1000,
  )) {
    // Each publisher replaces only its own part of a stored CVE (cve-merge.ts).
    const stored = await storedCves(
      tx,
      part.map((r) => r.id),
      from,
      null,
    );
    const batch = part.map((r) => mergeCve(r, stored.get(r.id), from));
    const primary = batch.map((r) => primaryCvss(r.cvss));
    const res = await tx.query<Changed>(
      `INSERT INTO cve (id, state, published, modified, cvss_version, cvss_vector, cvss_score, severity,
                        content_hash, doc, imported_at)
       SELECT t.id, t.state, t.published::timestamptz, t.modified::timestamptz, t.v, t.vector, t.score,
              t.severity, t.hash, t.doc::jsonb, $1
       FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
                   $8::float8[], $9::text[], $10::text[], $11::text[])
            AS t(id, state, published, modified, v, vector, score, severity, hash, doc)
       ON CONFLICT (id) DO UPDATE SET state = excluded.state, published = excluded.published,
         modified = excluded.modified, cvss_version = excluded.cvss_version, cvss_vector = excluded.cvss_vector,
         cvss_score = excluded.cvss_score, severity = excluded.severity, content_hash = excluded.content_hash,
         doc = excluded.doc, imported_at = excluded.imported_at
       WHERE cve.content_hash <> excluded.content_hash
       RETURNING id AS key, (xmax::text = '0') AS inserted`,
      [
        now.toISOString(),
        batch.map((r) => r.id),
        batch.map((r) => r.state),
        batch.map((r) => toTimestamp(r.published)),
        batch.map((r) => toTimestamp(r.modified)),
        primary.map((p) => p?.version ?? null),
        primary.map((p) => p?.vector ?? null),
        primary.map((p) => p?.baseScore ?? null),
        primary.map((p) => p?.severity ?? null),
        batch.map((r) => contentHash(r)),
        batch.map((r) => JSON.stringify(r)),
      ],
    );
    tally(batch.length, res.rows, counts);
  }
  return counts;
}

export async function upsertKev(
  tx: Queryable,
  records: readonly KevEntry[],
  importId: number,
  now: Date,
  prune: boolean,
) {
  const counts = { added: 0, modified: 0, unchanged: 0, events: 0, removed: 0 };
  for (const batch of chunks(
    dedupe(records, (r) => r.cveId),
    1000,
  )) {
    const res = await tx.query<Changed>(
      `INSERT INTO kev (cve_id, date_added, due_date, ransomware, content_hash, doc, imported_at)
       SELECT t.id, t.added::date, t.due::date, t.ransomware, t.hash, t.doc::jsonb, $1
       FROM unnest($2::text[], $3::text[], $4::text[], $5::boolean[], $6::text[], $7::text[])
            AS t(id, added, due, ransomware, hash, doc)
       ON CONFLICT (cve_id) DO UPDATE SET date_added = excluded.date_added, due_date = excluded.due_date,
         ransomware = excluded.ransomware, content_hash = excluded.content_hash, doc = excluded.doc,
         imported_at = excluded.imported_at
       WHERE kev.content_hash <> excluded.content_hash
       RETURNING cve_id AS key, (xmax::text = '0') AS inserted`,
      [
        now.toISOString(),
        batch.map((r) => r.cveId),
        batch.map((r) => r.dateAdded),
        batch.map((r) => r.dueDate),
        batch.map((r) => r.knownRansomwareCampaignUse),
        batch.map((r) => contentHash(r)),
        batch.map((r) => JSON.stringify(r)),
      ],
    );
    tally(batch.length, res.rows, counts);
    const byId = new Map(batch.map((r) => [r.cveId, r]));
    counts.events += await insertEvents(
      tx,
      'kev',
      importId,
      now,
      res.rows.map((r) => {
        const e = byId.get(r.key);
        return {
          kind: r.inserted ? 'kev.added' : 'kev.modified',
          subject: r.key,
          details: {
            dateAdded: e?.dateAdded,
            dueDate: e?.dueDate,
            ransomware: e?.knownRansomwareCampaignUse,
          },
        };
      }),
    );
  }
  if (prune) {
    // The catalog is published whole: an entry CISA removed leaves it.
    const gone = await pruneMissing(
      tx,
      'kev',
      records.map((r) => r.cveId),
    );
    counts.removed += gone.length;
    counts.events += await insertEvents(
      tx,
      'kev',
      importId,
      now,
      gone.map((id) => ({ kind: 'kev.removed', subject: id, details: {} })),
    );
  }
  return counts;
}

/** Deletes the rows whose CVE id is not in `keep` (a source published whole); returns their ids. */
async function pruneMissing(
  tx: Queryable,
  table: 'kev' | 'epss',
  keep: readonly string[],
): Promise<string[]> {
  const r = await tx.query<{ k: string }>(
    `DELETE FROM ${table} t
     WHERE NOT EXISTS (SELECT 1 FROM unnest($1::text[]) AS i(k) WHERE i.k = t.cve_id)
     RETURNING t.cve_id AS k`,
    [keep],
  );
  return r.rows.map((row) => row.k);
}

export async function upsertEpss(
  tx: Queryable,
  file: EpssFile,
  importId: number,
  now: Date,
  jump: number,
  prune: boolean,
) {
  const counts = { added: 0, modified: 0, unchanged: 0, events: 0, removed: 0 };
  for (const batch of chunks(
    dedupe(file.scores, (s) => s.cveId),
    20_000,
  )) {
    const res = await tx.query<{
      added: number;
      modified: number;
      jumps: { cve: string; from: number; to: number }[] | null;
    }>(
      `WITH incoming AS (
         SELECT * FROM unnest($1::text[], $2::float8[], $3::float8[]) AS t(cve_id, epss, percentile)
       ), old AS (
         SELECT e.cve_id, e.epss FROM epss e JOIN incoming i ON i.cve_id = e.cve_id
       ), up AS (
         INSERT INTO epss (cve_id, epss, percentile) SELECT cve_id, epss, percentile FROM incoming
         ON CONFLICT (cve_id) DO UPDATE SET epss = excluded.epss, percentile = excluded.percentile
         WHERE epss.epss <> excluded.epss OR epss.percentile <> excluded.percentile
         RETURNING cve_id, epss, (xmax::text = '0') AS inserted
       )
       SELECT count(*) FILTER (WHERE up.inserted)::int AS added,
              count(*) FILTER (WHERE NOT up.inserted)::int AS modified,
              json_agg(json_build_object('cve', up.cve_id, 'from', old.epss, 'to', up.epss))
                FILTER (WHERE NOT up.inserted AND up.epss - old.epss >= $4) AS jumps
       FROM up LEFT JOIN old ON old.cve_id = up.cve_id`,
      [batch.map((s) => s.cveId), batch.map((s) => s.epss), batch.map((s) => s.percentile), jump],
    );
    const r = res.rows[0] ?? { added: 0, modified: 0, jumps: null };
    counts.added += r.added;
    counts.modified += r.modified;
    counts.unchanged += batch.length - r.added - r.modified;
    counts.events += await insertEvents(
      tx,
      'epss',
      importId,
      now,
      (r.jumps ?? []).map((j) => ({
        kind: 'epss.jump',
        subject: j.cve,
        details: { from: j.from, to: j.to },
      })),
    );
  }
  // A day's file scores every CVE: one it no longer scores leaves.
  if (prune)
    counts.removed += (
      await pruneMissing(
        tx,
        'epss',
        file.scores.map((x) => x.cveId),
      )
    ).length;
  return counts;
}

export async function upsertEol(
  tx: Queryable,
  records: readonly EolCycle[],
  importId: number,
  now: Date,
  prune: boolean,
) {
  const counts = { added: 0, modified: 0, unchanged: 0, events: 0, removed: 0 };
  const all = dedupe(records, (r) => `${r.product}\u0000${r.cycle}`);
  const res = await tx.query<Changed>(
    `INSERT INTO eol_cycle (product, cycle, content_hash, doc, imported_at)
     SELECT t.product, t.cycle, t.hash, t.doc::jsonb, $1
     FROM unnest($2::text[], $3::text[], $4::text[], $5::text[]) AS t(product, cycle, hash, doc)
     ON CONFLICT (product, cycle) DO UPDATE SET content_hash = excluded.content_hash, doc = excluded.doc,
       imported_at = excluded.imported_at
     WHERE eol_cycle.content_hash <> excluded.content_hash
     RETURNING product || ' ' || cycle AS key, (xmax::text = '0') AS inserted`,
    [
      now.toISOString(),
      all.map((r) => r.product),
      all.map((r) => r.cycle),
      all.map((r) => contentHash(r)),
      all.map((r) => JSON.stringify(r)),
    ],
  );
  tally(all.length, res.rows, counts);
  counts.events += await insertEvents(
    tx,
    'endoflife',
    importId,
    now,
    res.rows
      .filter((r) => !r.inserted)
      .map((r) => ({ kind: 'endoflife.modified', subject: r.key, details: {} })),
  );
  if (prune) {
    // Each product is published whole: a cycle it no longer lists leaves.
    const gone = await tx.query(
      `DELETE FROM eol_cycle e
       WHERE e.product = ANY($1::text[])
         AND NOT EXISTS (SELECT 1 FROM unnest($2::text[], $3::text[]) AS i(p, c) WHERE i.p = e.product AND i.c = e.cycle)`,
      [[...new Set(all.map((r) => r.product))], all.map((r) => r.product), all.map((r) => r.cycle)],
    );
    counts.removed += gone.affectedRows;
  }
  return counts;
}
