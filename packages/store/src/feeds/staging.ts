/**
 * Staging for chunked imports (migration 0012): each chunk of a FeedSink
 * session is compared with what readers see and written, in its own short
 * transaction, into staging tables keyed by the session id, so the store
 * answers other queries between chunks. Only records that differ are
 * staged, with the change events they will raise; finish() moves them into
 * the real tables in one transaction (promoteStaged); abort, the next
 * session of the same source, or a server starting after a crash
 * (cleanAbandonedStaging) deletes them.
 *
 * The counts and events are those of one transaction held over the chunks:
 * each record is compared with the session's own staged version first (a
 * record repeated in a later chunk), then with the stored one.
 */
import { randomUUID } from 'node:crypto';
import { readlinkSync } from 'node:fs';
import { hostname } from 'node:os';
import {
  primaryCvss,
  type Advisory,
  type ChunkBatch,
  type CveRecord,
  type FeedSource,
} from '@patchloop/core';
import type { Db, Queryable } from '../db.js';
import { advisoryArrays, mergeAdvisories, type ChangeEventInput } from './advisories.js';
import { mergeCve, storedCves, type CveOrigin } from './cve-merge.js';
import { chunks, contentHash, dedupe, toTimestamp } from './rows.js';

const CHUNK = 500;

/** How many staged rows one statement of finish (or of the cleanup) moves: PGlite runs each statement on the caller's thread. */
const PROMOTE_CHUNK = 2000;

/** Lets the event loop answer what waits (PGlite blocks it for the length of a statement). */
const breathe = () => new Promise<void>((r) => setImmediate(r));

export interface StageCounts {
  added: number;
  modified: number;
  unchanged: number;
  events: number;
}

const STAGE_TABLES = ['feed_stage_advisory', 'feed_stage_cve', 'feed_stage_event'] as const;

/**
 * Registers a new session for `source`. A session of the same source still
 * registered is one whose process died (imports of one source run one at a
 * time): it and every staged row without a session are deleted first.
 */
export async function openStagedSession(db: Db, source: FeedSource, at: Date): Promise<string> {
  const id = randomUUID();
  const me = thisProcess();
  await db.transaction(async (tx) => {
    await tx.query('DELETE FROM feed_stage_session WHERE source = $1', [source]);
    for (const t of STAGE_TABLES)
      await tx.query(
        `DELETE FROM ${t} s WHERE NOT EXISTS (SELECT 1 FROM feed_stage_session x WHERE x.id = s.session_id)`,
      );
    await tx.query(
      `INSERT INTO feed_stage_session (id, source, started_at, owner_host, owner_pid, owner_ns, touched_at)
       VALUES ($1, $2, $3, $4, $5, $6, now())`,
      [id, source, at.toISOString(), me.host, me.pid, me.ns],
    );
  });
  return id;
}

/** Deletes a session's staged rows (after finish, or on abort), a few thousand per statement; returns how many. */
export async function dropStaged(db: Queryable, session: string): Promise<number> {
  let rows = 0;
  await db.query('DELETE FROM feed_stage_session WHERE id = $1', [session]);
  for (const t of ['feed_stage_advisory', 'feed_stage_cve'] as const)
    for (;;) {
      const r = await db.query(
        `DELETE FROM ${t} WHERE session_id = $1 AND id IN
           (SELECT id FROM ${t} WHERE session_id = $1 LIMIT ${PROMOTE_CHUNK})`,
        [session],
      );
      rows += r.affectedRows;
      await breathe();
      if (r.affectedRows < PROMOTE_CHUNK) break;
    }
  rows += (await db.query('DELETE FROM feed_stage_event WHERE session_id = $1', [session])).affectedRows;
  return rows;
}

/** The process that opens a session, as feed_stage_session records its owner. */
export interface SessionOwner {
  readonly host: string;
  readonly pid: number;
  /** The PID namespace (Linux: "pid:[4026531836]"), null where there is none to read. */
  readonly ns: string | null;
}

export function thisProcess(): SessionOwner {
  let ns: string | null = null;
  try {
    ns = readlinkSync('/proc/self/ns/pid');
  } catch {
    // Not Linux: the host name and PID alone.
  }
  return { host: hostname(), pid: process.pid, ns };
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: it exists, owned by another user.
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * A session gone quiet this long is abandoned whoever owns it: a live session
 * writes a chunk every few seconds (and its finish fails cleanly if it was
 * removed), and a sync child is killed after PATCHLOOP_SYNC_TIMEOUT anyway.
 */
export const STALE_SESSION_MS = 60 * 60_000;

export interface AbandonedSession {
  readonly id: string;
  /** Null for staged rows whose session row was already gone. */
  readonly source: string | null;
  readonly owner: string | null;
  readonly why: 'owner gone' | 'stale' | 'orphaned rows';
  readonly rows: number;
}

/**
 * Removes the staged rows of sessions whose process is gone: provably dead
 * (owned by a PID of this host and PID namespace that no longer runs) or
 * silent for longer than `staleMs` (another replica's, or from before the
 * owner was recorded), and staged rows left without a session. Sessions of
 * live processes elsewhere (other replicas on one PostgreSQL) are kept.
 * Called when a server starts and after a sync child dies.
 */
export async function cleanAbandonedStaging(
  db: Queryable,
  options: { staleMs?: number; isAlive?: (pid: number) => boolean } = {},
): Promise<AbandonedSession[]> {
  const staleMs = options.staleMs ?? STALE_SESSION_MS;
  const alive = options.isAlive ?? pidAlive;
  const me = thisProcess();
  const sessions = await db.query<{
    id: string;
    source: string;
    owner_host: string | null;
    owner_pid: number | null;
    owner_ns: string | null;
    quiet_ms: number;
  }>(
    `SELECT id, source, owner_host, owner_pid, owner_ns,
            (extract(epoch FROM now() - coalesce(touched_at, started_at)) * 1000)::float8 AS quiet_ms
     FROM feed_stage_session ORDER BY started_at`,
  );
  const found: Omit<AbandonedSession, 'rows'>[] = [];
  for (const s of sessions.rows) {
    const owner = s.owner_host === null ? null : `${s.owner_host} pid ${s.owner_pid}`;
    const local = s.owner_host === me.host && s.owner_ns === me.ns && s.owner_pid !== null;
    if (local && s.owner_pid !== null && !alive(s.owner_pid))
      found.push({ id: s.id, source: s.source, owner, why: 'owner gone' });
    else if (s.quiet_ms > staleMs) found.push({ id: s.id, source: s.source, owner, why: 'stale' });
  }
  for (const t of STAGE_TABLES) {
    const orphans = await db.query<{ session_id: string }>(
      `SELECT DISTINCT s.session_id FROM ${t} s
       WHERE NOT EXISTS (SELECT 1 FROM feed_stage_session x WHERE x.id = s.session_id)`,
    );
    for (const o of orphans.rows)
      if (!found.some((f) => f.id === o.session_id))
        found.push({ id: o.session_id, source: null, owner: null, why: 'orphaned rows' });
  }
  const out: AbandonedSession[] = [];
  for (const f of found) out.push({ ...f, rows: await dropStaged(db, f.id) });
  return out;
}

/**
 * What readers would see for these advisories if the session committed now:
 * the staged hash, else the stored one (and the document, only to merge:
 * reading every document back made an unchanged re-import 2.5 times slower).
 * CVEs have theirs in cve-merge.ts.
 */
async function effectiveHashes(
  tx: Queryable,
  session: string,
  source: FeedSource,
  ids: readonly string[],
  withDoc = false,
): Promise<Map<string, { hash: string; doc: unknown }>> {
  const r = await tx.query<{ id: string; hash: string; doc: unknown }>(
    `SELECT i.id, coalesce(s.content_hash, a.content_hash) AS hash,
            CASE WHEN $4::boolean THEN coalesce(s.doc, a.doc) END AS doc
     FROM unnest($3::text[]) AS i(id)
     LEFT JOIN feed_stage_advisory s ON s.session_id = $1 AND s.id = i.id
     LEFT JOIN advisory a ON a.source = $2 AND a.id = i.id
     WHERE s.id IS NOT NULL OR a.id IS NOT NULL`,
    [session, source, ids, withDoc],
  );
  return new Map(r.rows.map((row) => [row.id, { hash: row.hash, doc: row.doc }]));
}

/** Stages one chunk in its own transaction; returns what it adds to the session's counts. */
export async function stageChunk(
  db: Db,
  session: string,
  source: FeedSource,
  batch: ChunkBatch,
): Promise<StageCounts> {
  return db.transaction(async (tx) => {
    // Alive: a server starting meanwhile keeps this session (cleanAbandonedStaging).
    await tx.query('UPDATE feed_stage_session SET touched_at = now() WHERE id = $1', [session]);
    const counts = { added: 0, modified: 0, unchanged: 0, events: 0 };
    if (batch.kind === 'advisories') {
      for (const part of chunks(
        dedupe(batch.records, (a) => a.id),
        CHUNK,
      ))
        await stageAdvisories(tx, session, source, part, batch.mergeByRelease === true, counts);
    } else {
      for (const part of chunks(
        dedupe(batch.records, (r) => r.id),
        CHUNK,
      ))
        await stageCves(tx, session, part, batch.from ?? 'cvelist', counts);
    }
    return counts;
  });
}

async function stageAdvisories(
  tx: Queryable,
  session: string,
  source: FeedSource,
  incoming: Advisory[],
  mergeByRelease: boolean,
  counts: StageCounts,
): Promise<void> {
  const seen = await effectiveHashes(
    tx,
    session,
    source,
    incoming.map((a) => a.id),
    mergeByRelease,
  );
  const merged = mergeByRelease
    ? mergeAdvisories(incoming, new Map([...seen].map(([id, v]) => [id, v.doc as Advisory])))
    : incoming;
  const hashes = merged.map((a) => contentHash(a));
  const batch = merged.filter((a, i) => seen.get(a.id)?.hash !== hashes[i]);
  const batchHashes = hashes.filter((h, i) => seen.get((merged[i] as Advisory).id)?.hash !== h);
  counts.unchanged += merged.length - batch.length;
  if (batch.length === 0) return;
  await tx.query(
    `INSERT INTO feed_stage_advisory (session_id, id, published, modified, withdrawn, classification, severity,
                                      summary, aliases, content_hash, doc)
     SELECT $1, t.id, t.published::timestamptz, t.modified::timestamptz, t.withdrawn::timestamptz,
            t.classification, t.severity, t.summary,
            ARRAY(SELECT jsonb_array_elements_text(t.aliases::jsonb)), t.hash, t.doc::jsonb
     FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[],
                 $9::text[], $10::text[], $11::text[])
          AS t(id, published, modified, withdrawn, classification, severity, summary, aliases, hash, doc)
     ON CONFLICT (session_id, id) DO UPDATE SET
       published = excluded.published, modified = excluded.modified, withdrawn = excluded.withdrawn,
       classification = excluded.classification, severity = excluded.severity, summary = excluded.summary,
       aliases = excluded.aliases, content_hash = excluded.content_hash, doc = excluded.doc`,
    [session, ...advisoryArrays(batch, batchHashes)],
  );
  const events: ChangeEventInput[] = batch.map((a) => ({
    kind: seen.has(a.id) ? 'advisory.modified' : 'advisory.new',
    subject: a.id,
    details: { aliases: a.aliases, modified: a.modified },
  }));
  const added = events.filter((e) => e.kind === 'advisory.new').length;
  counts.added += added;
  counts.modified += batch.length - added;
  counts.events += await stageEvents(tx, session, events);
}

async function stageCves(
  tx: Queryable,
  session: string,
  incoming: CveRecord[],
  from: CveOrigin,
  counts: StageCounts,
): Promise<void> {
  const seen = await storedCves(
    tx,
    incoming.map((r) => r.id),
    from,
    session,
  );
  // Each publisher replaces only its own part of a stored CVE (cve-merge.ts).
  const records = incoming.map((r) => mergeCve(r, seen.get(r.id), from));
  const hashes = records.map((r) => contentHash(r));
  const batch = records.filter((r, i) => seen.get(r.id)?.hash !== hashes[i]);
  const batchHashes = hashes.filter((h, i) => seen.get((records[i] as CveRecord).id)?.hash !== h);
  counts.unchanged += records.length - batch.length;
  if (batch.length === 0) return;
  const added = batch.filter((r) => !seen.has(r.id)).length;
  counts.added += added;
  counts.modified += batch.length - added;
  const primary = batch.map((r) => primaryCvss(r.cvss));
  await tx.query(
    `INSERT INTO feed_stage_cve (session_id, id, state, published, modified, cvss_version, cvss_vector,
                                 cvss_score, severity, content_hash, doc)
     SELECT $1, t.id, t.state, t.published::timestamptz, t.modified::timestamptz, t.v, t.vector, t.score,
            t.severity, t.hash, t.doc::jsonb
     FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
                 $8::float8[], $9::text[], $10::text[], $11::text[])
          AS t(id, state, published, modified, v, vector, score, severity, hash, doc)
     ON CONFLICT (session_id, id) DO UPDATE SET state = excluded.state, published = excluded.published,
       modified = excluded.modified, cvss_version = excluded.cvss_version, cvss_vector = excluded.cvss_vector,
       cvss_score = excluded.cvss_score, severity = excluded.severity, content_hash = excluded.content_hash,
       doc = excluded.doc`,
    [
      session,
      batch.map((r) => r.id),
      batch.map((r) => r.state),
      batch.map((r) => toTimestamp(r.published)),
      batch.map((r) => toTimestamp(r.modified)),
      primary.map((p) => p?.version ?? null),
      primary.map((p) => p?.vector ?? null),
      primary.map((p) => p?.baseScore ?? null),
      primary.map((p) => p?.severity ?? null),
      batchHashes,
      batch.map((r) => JSON.stringify(r)),
    ],
  );
}

async function stageEvents(tx: Queryable, session: string, events: readonly ChangeEventInput[]) {
  if (events.length === 0) return 0;
  await tx.query(
    `INSERT INTO feed_stage_event (session_id, kind, subject, details)
     SELECT $1, t.kind, t.subject, t.details::jsonb
     FROM unnest($2::text[], $3::text[], $4::text[]) AS t(kind, subject, details)`,
    [
      session,
      events.map((e) => e.kind),
      events.map((e) => e.subject),
      events.map((e) => JSON.stringify(e.details)),
    ],
  );
  return events.length;
}

/**
 * Inside finish's transaction: writes the session's staged records, their
 * affected packages and change events into the real tables, in statements of
 * PROMOTE_CHUNK rows so that no single statement stalls the embedded store's
 * thread for long. Throws when the session is gone (deleted by a newer
 * session of the same source).
 */
export async function promoteStaged(
  tx: Queryable,
  session: string,
  source: FeedSource,
  importId: number,
  at: Date,
): Promise<void> {
  const owned = await tx.query('DELETE FROM feed_stage_session WHERE id = $1', [session]);
  if (owned.affectedRows !== 1)
    throw new Error(`feed import session ${session} was cleared by a newer import of ${source}`);
  const stamp = at.toISOString();
  const staged = async (table: 'feed_stage_advisory' | 'feed_stage_cve') =>
    chunks(
      (
        await tx.query<{ id: string }>(`SELECT id FROM ${table} WHERE session_id = $1 ORDER BY id`, [session])
      ).rows.map((r) => r.id),
      PROMOTE_CHUNK,
    );
  for (const ids of await staged('feed_stage_advisory')) {
    await tx.query(
      `INSERT INTO advisory (source, id, published, modified, withdrawn, classification, severity, summary,
                             aliases, content_hash, doc, imported_at)
       SELECT $2, s.id, s.published, s.modified, s.withdrawn, s.classification, s.severity, s.summary,
              s.aliases, s.content_hash, s.doc, $3
       FROM feed_stage_advisory s WHERE s.session_id = $1 AND s.id = ANY($4::text[])
       ON CONFLICT (source, id) DO UPDATE SET
         published = excluded.published, modified = excluded.modified, withdrawn = excluded.withdrawn,
         classification = excluded.classification, severity = excluded.severity, summary = excluded.summary,
         aliases = excluded.aliases, content_hash = excluded.content_hash, doc = excluded.doc,
         imported_at = excluded.imported_at`,
      [session, source, stamp, ids],
    );
    await tx.query('DELETE FROM advisory_package WHERE source = $1 AND advisory_id = ANY($2::text[])', [
      source,
      ids,
    ]);
    await tx.query(
      `INSERT INTO advisory_package (source, advisory_id, ecosystem, release, package, status, fixed_version)
       SELECT $2, s.id, e->>'ecosystem', coalesce(e->>'release', ''), e->>'package', e->>'status',
              e->>'fixedVersion'
       FROM feed_stage_advisory s CROSS JOIN LATERAL jsonb_array_elements(s.doc->'affected') AS e
       WHERE s.session_id = $1 AND s.id = ANY($3::text[])`,
      [session, source, ids],
    );
    await breathe();
  }
  for (const ids of await staged('feed_stage_cve')) {
    await tx.query(
      `INSERT INTO cve (id, state, published, modified, cvss_version, cvss_vector, cvss_score, severity,
                        content_hash, doc, imported_at)
       SELECT s.id, s.state, s.published, s.modified, s.cvss_version, s.cvss_vector, s.cvss_score, s.severity,
              s.content_hash, s.doc, $2
       FROM feed_stage_cve s WHERE s.session_id = $1 AND s.id = ANY($3::text[])
       ON CONFLICT (id) DO UPDATE SET state = excluded.state, published = excluded.published,
         modified = excluded.modified, cvss_version = excluded.cvss_version, cvss_vector = excluded.cvss_vector,
         cvss_score = excluded.cvss_score, severity = excluded.severity, content_hash = excluded.content_hash,
         doc = excluded.doc, imported_at = excluded.imported_at`,
      [session, stamp, ids],
    );
    await breathe();
  }
  await tx.query(
    `INSERT INTO change_event (at, source, kind, subject, import_id, details)
     SELECT $2, $3, e.kind, e.subject, $4, e.details
     FROM feed_stage_event e WHERE e.session_id = $1 ORDER BY e.seq`,
    [session, stamp, source, importId],
  );
}
