/**
 * Bulk upsert of advisories and their affected packages: multi-row
 * INSERT … SELECT FROM unnest(…) in chunks, skipping records whose content
 * hash is unchanged; change events for new and modified advisories.
 */
import type { AffectedPackage, Advisory, FeedSource } from '@patchloop/core';
import type { Queryable } from '../db.js';
import { chunks, contentHash, dedupe, toTimestamp, type UpsertCounts } from './rows.js';

const CHUNK = 500;

export async function upsertAdvisories(
  tx: Queryable,
  source: FeedSource,
  records: readonly Advisory[],
  importId: number,
  now: Date,
  mergeByRelease = false,
): Promise<UpsertCounts & { events: number }> {
  const counts = { added: 0, modified: 0, unchanged: 0, events: 0 };
  for (const incoming of chunks(
    dedupe(records, (a) => a.id),
    CHUNK,
  )) {
    const merged = mergeByRelease ? await mergeWithStored(tx, source, incoming) : incoming;
    // Unchanged records (most of a re-import) cost one hash lookup, not a write of their document.
    const hashes = merged.map((a) => contentHash(a));
    const stored = await tx.query<{ id: string; content_hash: string }>(
      'SELECT id, content_hash FROM advisory WHERE source = $1 AND id = ANY($2::text[])',
      [source, merged.map((a) => a.id)],
    );
    const storedHash = new Map(stored.rows.map((r) => [r.id, r.content_hash]));
    const batch = merged.filter((a, i) => storedHash.get(a.id) !== hashes[i]);
    const batchHashes = hashes.filter((h, i) => storedHash.get((merged[i] as Advisory).id) !== h);
    counts.unchanged += merged.length - batch.length;
    if (batch.length === 0) continue;
    const changed = await tx.query<{ id: string; inserted: boolean }>(
      `INSERT INTO advisory (source, id, published, modified, withdrawn, classification, severity, summary,
                             aliases, content_hash, doc, imported_at)
       SELECT $1, t.id, t.published::timestamptz, t.modified::timestamptz, t.withdrawn::timestamptz,
              t.classification, t.severity, t.summary,
              ARRAY(SELECT jsonb_array_elements_text(t.aliases::jsonb)), t.hash, t.doc::jsonb, $2
       FROM unnest($3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[],
                   $10::text[], $11::text[], $12::text[])
            AS t(id, published, modified, withdrawn, classification, severity, summary, aliases, hash, doc)
       ON CONFLICT (source, id) DO UPDATE SET
         published = excluded.published, modified = excluded.modified, withdrawn = excluded.withdrawn,
         classification = excluded.classification, severity = excluded.severity, summary = excluded.summary,
         aliases = excluded.aliases, content_hash = excluded.content_hash, doc = excluded.doc,
         imported_at = excluded.imported_at
       WHERE advisory.content_hash <> excluded.content_hash
       RETURNING id, (xmax::text = '0') AS inserted`,
      [source, now.toISOString(), ...advisoryArrays(batch, batchHashes)],
    );
    const ids = changed.rows.map((r) => r.id);
    const added = changed.rows.filter((r) => r.inserted).length;
    counts.added += added;
    counts.modified += ids.length - added;
    counts.unchanged += batch.length - ids.length;
    if (ids.length === 0) continue;

    const byId = new Map(batch.map((a) => [a.id, a]));
    const pkgs = ids.flatMap((id) => (byId.get(id)?.affected ?? []).map((p) => ({ id, ...p })));
    await tx.query('DELETE FROM advisory_package WHERE source = $1 AND advisory_id = ANY($2::text[])', [
      source,
      ids,
    ]);
    for (const part of chunks(pkgs, 5000)) {
      await tx.query(
        `INSERT INTO advisory_package (source, advisory_id, ecosystem, release, package, status, fixed_version)
         SELECT $1, * FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[])`,
        [
          source,
          part.map((p) => p.id),
          part.map((p) => p.ecosystem),
          part.map((p) => p.release ?? ''),
          part.map((p) => p.package),
          part.map((p) => p.status),
          part.map((p) => p.fixedVersion),
        ],
      );
    }
    counts.events += await insertEvents(
      tx,
      source,
      importId,
      now,
      changed.rows.map((r) => ({
        kind: r.inserted ? 'advisory.new' : 'advisory.modified',
        subject: r.id,
        details: { aliases: byId.get(r.id)?.aliases ?? [], modified: byId.get(r.id)?.modified ?? null },
      })),
    );
  }
  return counts;
}

/**
 * A batch of advisories as the ten text arrays an unnest() reads them from:
 * id, published, modified, withdrawn, classification, severity, summary,
 * aliases (JSON), content hash, doc (JSON). The live and staged upserts share it.
 */
export function advisoryArrays(batch: readonly Advisory[], hashes: readonly string[]): unknown[] {
  return [
    batch.map((a) => a.id),
    batch.map((a) => toTimestamp(a.published)),
    batch.map((a) => toTimestamp(a.modified)),
    batch.map((a) => toTimestamp(a.withdrawn)),
    batch.map((a) => a.classification),
    batch.map((a) => a.severity),
    batch.map((a) => a.summary),
    batch.map((a) => JSON.stringify(a.aliases)),
    [...hashes],
    batch.map((a) => JSON.stringify(a)),
  ];
}

export interface ChangeEventInput {
  kind: string;
  subject: string;
  details: Record<string, unknown>;
}

export async function insertEvents(
  tx: Queryable,
  source: string,
  importId: number,
  now: Date,
  events: readonly ChangeEventInput[],
): Promise<number> {
  for (const part of chunks(events, 5000)) {
    await tx.query(
      `INSERT INTO change_event (at, source, kind, subject, import_id, details)
       SELECT $1, $2, t.kind, t.subject, $3, t.details::jsonb
       FROM unnest($4::text[], $5::text[], $6::text[]) AS t(kind, subject, details)`,
      [
        now.toISOString(),
        source,
        importId,
        part.map((e) => e.kind),
        part.map((e) => e.subject),
        part.map((e) => JSON.stringify(e.details)),
      ],
    );
  }
  return events.length;
}

const releaseOf = (p: AffectedPackage) => p.release ?? '';
const slot = (p: AffectedPackage) => `${releaseOf(p)}\u0000${p.package}`;
const byCodePoint = (x: string, y: string) => (x < y ? -1 : x > y ? 1 : 0);
const bySlot = (x: AffectedPackage, y: AffectedPackage) =>
  byCodePoint(releaseOf(x), releaseOf(y)) || byCodePoint(x.package, y.package);

/**
 * For feeds that spread one advisory over several files (Alpine's secdb: one
 * file per branch and repository): the incoming record replaces what it says
 * about each (release, package) it names; the stored record's entries for
 * other releases and packages are kept; aliases are merged; dates span both.
 * Every record comes out in one canonical order, so the content hash does not
 * depend on the order files were imported in.
 */
async function mergeWithStored(tx: Queryable, source: FeedSource, incoming: Advisory[]): Promise<Advisory[]> {
  const stored = await tx.query<{ id: string; doc: Advisory }>(
    'SELECT id, doc FROM advisory WHERE source = $1 AND id = ANY($2::text[])',
    [source, incoming.map((a) => a.id)],
  );
  return mergeAdvisories(incoming, new Map(stored.rows.map((r) => [r.id, r.doc])));
}

/** mergeWithStored's merge, given the stored records by id (staging reads them from two tables). */
export function mergeAdvisories(
  incoming: readonly Advisory[],
  byId: ReadonlyMap<string, Advisory>,
): Advisory[] {
  const min = (x: string | null, y: string | null) => (x === null ? y : y === null ? x : x < y ? x : y);
  const max = (x: string | null, y: string | null) => (x === null ? y : y === null ? x : x > y ? x : y);
  return incoming.map((a) => {
    const old = byId.get(a.id);
    const slots = new Set(a.affected.map(slot));
    const kept = old ? old.affected.filter((p) => !slots.has(slot(p))) : [];
    return {
      ...a,
      aliases: [...new Set([...a.aliases, ...(old?.aliases ?? [])])].sort(byCodePoint),
      published: old ? min(a.published, old.published) : a.published,
      modified: old ? max(a.modified, old.modified) : a.modified,
      affected: [...kept, ...a.affected].sort(bySlot),
    };
  });
}
