/**
 * The store side of feed import: implements core's FeedSink over a Db. Each
 * apply() is one transaction. A begin() … finish() session is applied, by
 * default, through staging tables (staging.ts): each chunk in its own short
 * transaction, so other queries run between chunks even on the embedded
 * single-connection store, then finish() moves the changed records in with
 * the import run, change events and source status in one transaction; or
 * ('held') in one transaction held open across the chunks. Either way a
 * failed import leaves the previous good data active. Memory holds one
 * chunk at a time; content hashes are compared in the database.
 */
import {
  FEED_SOURCES,
  type ApplyResult,
  type FeedApplySession,
  type FeedRecordError,
  type ImportRunStart,
  type DownloadState,
  type FeedBatch,
  type FeedSink,
  type FeedSource,
  type FeedSourceStatus,
  type ImportRunInfo,
} from '@patchloop/core';
import type { Db, Queryable } from '../db.js';
import type { Row } from '../row.js';
import { namedCves } from './cve-merge.js';
import { DEFAULT_EPSS_JUMP } from './enrichment.js';
import {
  applyBatch,
  batchMeta,
  describeErrors,
  recordCount,
  skippedOf,
  storedErrors,
} from './feed-batches.js';
import { holdTransaction } from './held-transaction.js';
import { storableText } from './rows.js';
import { dropStaged, openStagedSession, promoteStaged, stageChunk } from './staging.js';

export interface FeedStoreOptions {
  /** The clock; tests pass a fixed one. */
  now?: () => Date;
  epssJump?: number;
  /**
   * How a chunked session (begin … finish) is applied: 'staged' writes each
   * chunk in its own short transaction into staging tables and moves them in
   * at finish (other queries run between chunks); 'held' keeps one
   * transaction open across the chunks. The default is per backend, from
   * the measurements in BENCHMARKS.md.
   */
  sessions?: 'staged' | 'held';
}

/** Chunked sessions per backend: see FeedStoreOptions.sessions. */
const DEFAULT_SESSIONS: Record<Db['kind'], 'staged' | 'held'> = { pglite: 'staged', postgres: 'staged' };

export function createFeedStore(db: Db, options: FeedStoreOptions = {}): FeedSink {
  const now = options.now ?? (() => new Date());
  const mode = options.sessions ?? DEFAULT_SESSIONS[db.kind];

  async function insertRun(
    tx: Queryable,
    run: ImportRunInfo,
    status: string,
    finished: Date,
  ): Promise<number> {
    const r = await tx.query<{ id: number }>(
      `INSERT INTO import_run (source, origin, started_at, finished_at, status, skipped, errors)
       VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb) RETURNING id`,
      [
        run.source,
        storableText(run.origin),
        run.startedAt.toISOString(),
        finished.toISOString(),
        status,
        skippedOf(run).length,
        storedErrors(run.errors),
      ],
    );
    return r.rows[0]?.id as number;
  }

  async function upsertSource(
    tx: Queryable,
    source: FeedSource,
    fields: {
      records?: number;
      success: boolean;
      status: string;
      error: string | null;
      code: string | null;
      meta?: object;
    },
    at: Date,
  ): Promise<void> {
    await tx.query(
      `INSERT INTO feed_source (source, records, last_import, last_success, last_status, last_error, last_error_code, meta)
       VALUES ($1, coalesce($2, 0), $3, CASE WHEN $4 THEN $3::timestamptz END, $5, $6, $7, coalesce($8::jsonb, '{}'::jsonb))
       ON CONFLICT (source) DO UPDATE SET
         records = coalesce($2, feed_source.records),
         last_import = $3,
         last_success = CASE WHEN $4 THEN $3::timestamptz ELSE feed_source.last_success END,
         last_status = $5, last_error = $6, last_error_code = $7,
         meta = feed_source.meta || coalesce($8::jsonb, '{}'::jsonb)`,
      [
        source,
        fields.records ?? null,
        at.toISOString(),
        fields.success,
        fields.status,
        fields.error === null ? null : storableText(fields.error),
        fields.code,
        fields.meta ? JSON.stringify(fields.meta) : null,
      ],
    );
  }

  /** The end of every applied run: the run's counts and status, the source's status. */
  async function completeRun(
    tx: Queryable,
    run: ImportRunInfo,
    importId: number,
    kind: FeedBatch['kind'],
    meta: Record<string, unknown>,
    counts: ApplyResult,
    at: Date,
  ): Promise<ApplyResult> {
    const status = skippedOf(run).length > 0 ? 'partial' : 'ok';
    await tx.query(
      `UPDATE import_run SET imported = $2, unchanged = $3, status = $4, skipped = $5, errors = $6::jsonb
       WHERE id = $1`,
      [
        importId,
        counts.added + counts.modified + counts.removed,
        counts.unchanged,
        status,
        skippedOf(run).length,
        storedErrors(run.errors),
      ],
    );
    await upsertSource(
      tx,
      run.source,
      {
        records: await recordCount(tx, kind, run.source),
        success: true,
        status,
        ...describeErrors(run),
        meta,
      },
      at,
    );
    return counts;
  }

  const resultOf = (c: {
    added: number;
    modified: number;
    unchanged: number;
    removed: number;
    events: number;
  }) => ({
    added: c.added,
    modified: c.modified,
    unchanged: c.unchanged,
    removed: c.removed,
    changeEvents: c.events,
  });

  async function heldSession(start: ImportRunStart): Promise<FeedApplySession> {
    const at = now();
    const held = await holdTransaction(db);
    const { tx } = held;
    let importId: number;
    try {
      importId = await insertRun(tx, { ...start, errors: [] }, 'ok', at);
    } catch (e) {
      await held.end(false).catch(() => undefined);
      throw e;
    }
    const counts = { added: 0, modified: 0, unchanged: 0, removed: 0, events: 0 };
    let kind: FeedBatch['kind'] | null = null;
    let over = false;
    const ended = () => {
      if (over) throw new Error('feed import session already finished');
    };
    return {
      async applyChunk(batch) {
        ended();
        kind = batch.kind;
        const run = { ...start, errors: [] };
        const c = await applyBatch(tx, batch, run, importId, at, false, DEFAULT_EPSS_JUMP);
        counts.added += c.added;
        counts.modified += c.modified;
        counts.unchanged += c.unchanged;
        counts.removed += c.removed;
        counts.events += c.events;
      },
      async finish(errors: readonly FeedRecordError[]) {
        ended();
        over = true;
        try {
          const r = await completeRun(
            tx,
            { ...start, errors },
            importId,
            kind ?? 'advisories',
            {},
            resultOf(counts),
            at,
          );
          await held.end(true);
          return r;
        } catch (e) {
          await held.end(false).catch(() => undefined);
          throw e;
        }
      },
      async abort() {
        if (over) return;
        over = true;
        await held.end(false).catch(() => undefined);
      },
    };
  }

  /** A session over staging tables: each chunk its own short transaction, one short one at finish. */
  async function stagedSession(start: ImportRunStart): Promise<FeedApplySession> {
    const at = now();
    const session = await openStagedSession(db, start.source, at);
    const counts = { added: 0, modified: 0, unchanged: 0, removed: 0, events: 0 };
    let kind: FeedBatch['kind'] | null = null;
    let over = false;
    let broken = false;
    const ended = () => {
      if (over) throw new Error('feed import session already finished');
      if (broken) throw new Error('feed import session failed on an earlier chunk');
    };
    const drop = () => dropStaged(db, session).catch(() => undefined);
    return {
      async applyChunk(batch) {
        ended();
        kind = batch.kind;
        try {
          const c = await stageChunk(db, session, start.source, batch);
          counts.added += c.added;
          counts.modified += c.modified;
          counts.unchanged += c.unchanged;
          counts.events += c.events;
        } catch (e) {
          broken = true;
          throw e;
        }
      },
      async finish(errors: readonly FeedRecordError[]) {
        ended();
        over = true;
        const run = { ...start, errors };
        try {
          return await db.transaction(async (tx) => {
            const importId = await insertRun(tx, run, 'ok', at);
            await promoteStaged(tx, session, start.source, importId, at);
            return completeRun(tx, run, importId, kind ?? 'advisories', {}, resultOf(counts), at);
          });
        } finally {
          await drop();
        }
      },
      async abort() {
        if (over) return;
        over = true;
        await drop();
      },
    };
  }

  return {
    async apply(batch, run): Promise<ApplyResult> {
      const at = now();
      return db.transaction(async (tx) => {
        const importId = await insertRun(tx, run, 'ok', at);
        // KEV, EPSS and each endoflife product are published whole: rows the
        // new data lacks are removed, unless some records were skipped (then
        // a missing row may only be a malformed one).
        const prune = !run.errors.some((e) => e.warning !== true);
        const counts = await applyBatch(
          tx,
          batch,
          run,
          importId,
          at,
          prune,
          options.epssJump ?? DEFAULT_EPSS_JUMP,
        );
        return completeRun(tx, run, importId, batch.kind, batchMeta(batch), resultOf(counts), at);
      });
    },

    begin(start: ImportRunStart): Promise<FeedApplySession> {
      return mode === 'held' ? heldSession(start) : stagedSession(start);
    },

    async recordFailure(run, error) {
      const at = now();
      await db.transaction(async (tx) => {
        await insertRun(tx, run, 'failed', at);
        await upsertSource(
          tx,
          run.source,
          { success: false, status: 'failed', error: error.message, code: error.code },
          at,
        );
      });
    },

    async recordUnchanged(run) {
      const at = now();
      await db.transaction(async (tx) => {
        await insertRun(tx, run, 'unchanged', at);
        await upsertSource(
          tx,
          run.source,
          { success: true, status: 'unchanged', error: null, code: null },
          at,
        );
      });
    },

    async status(): Promise<FeedSourceStatus[]> {
      const rows = (await db.query<Row<'feed_source'>>('SELECT * FROM feed_source ORDER BY source')).rows;
      const bySource = new Map(rows.map((r) => [r.source, r]));
      return FEED_SOURCES.map((source) => {
        const r = bySource.get(source);
        return {
          source,
          records: r?.records ?? 0,
          lastImport: r?.last_import ? new Date(r.last_import).toISOString() : null,
          lastSuccess: r?.last_success ? new Date(r.last_success).toISOString() : null,
          lastStatus: r?.last_status ?? null,
          lastError: r?.last_error ?? null,
          lastErrorCode: r?.last_error_code ?? null,
          meta: (r?.meta as Record<string, unknown> | undefined) ?? {},
        };
      });
    },

    async downloadState(source, url): Promise<DownloadState | null> {
      const rows = (
        await db.query<Pick<Row<'feed_download'>, 'etag' | 'last_modified' | 'sha256'>>(
          'SELECT etag, last_modified, sha256 FROM feed_download WHERE source = $1 AND url = $2',
          [source, url],
        )
      ).rows;
      const r = rows[0];
      return r ? { etag: r.etag, lastModified: r.last_modified, sha256: r.sha256 } : null;
    },

    namedCves: () => namedCves(db),

    async saveDownloadState(source, url, state) {
      await db.query(
        `INSERT INTO feed_download (source, url, etag, last_modified, sha256, bytes, fetched_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (source, url) DO UPDATE SET etag = EXCLUDED.etag, last_modified = EXCLUDED.last_modified,
           sha256 = EXCLUDED.sha256, bytes = EXCLUDED.bytes, fetched_at = EXCLUDED.fetched_at`,
        [source, url, state.etag, state.lastModified, state.sha256, state.bytes, now().toISOString()],
      );
    },
  };
}
