/** One batch applied to the store, and the import run's bookkeeping: counts, stored errors. */
import type { FeedBatch, FeedRecordError, FeedSource, ImportRunInfo } from '@patchloop/core';
import type { Queryable } from '../db.js';
import { upsertAdvisories } from './advisories.js';
import { upsertCves, upsertEol, upsertEpss, upsertKev } from './enrichment.js';
import { storableText } from './rows.js';

/** How many records a source holds, as `feeds status` reports it. */
const RECORD_COUNT: Record<FeedBatch['kind'], string> = {
  advisories: 'SELECT count(*)::int AS n FROM advisory WHERE source = $1',
  cve: 'SELECT count(*)::int AS n FROM cve',
  kev: 'SELECT count(*)::int AS n FROM kev',
  epss: 'SELECT count(*)::int AS n FROM epss',
  endoflife: 'SELECT count(DISTINCT product)::int AS n FROM eol_cycle',
};

/** At most this many skipped-record errors are kept with an import run. */
const MAX_STORED_ERRORS = 1000;

/**
 * The errors of a run as stored (import_run.errors): every writer goes
 * through here and upsertSource, so a reason quoting a corrupt entry's bytes
 * (a NUL) never breaks jsonb or text.
 */
export function storedErrors(errors: readonly FeedRecordError[]): string {
  return JSON.stringify(
    errors.slice(0, MAX_STORED_ERRORS).map((e) => ({
      ...e,
      file: storableText(e.file, 500),
      record: storableText(e.record, 200),
      reason: storableText(e.reason),
    })),
  );
}

/** The reported problems that cost a record (warnings kept theirs). */
export const skippedOf = (run: Pick<ImportRunInfo, 'errors'>) => run.errors.filter((e) => e.warning !== true);

export function describeErrors(run: Pick<ImportRunInfo, 'errors'>): {
  error: string | null;
  code: string | null;
} {
  const skipped = skippedOf(run);
  const first = skipped[0] ?? run.errors[0];
  if (!first) return { error: null, code: null };
  const what =
    skipped.length > 0
      ? `${skipped.length} record(s) skipped`
      : `${run.errors.length} warning(s), nothing skipped`;
  return { error: `${what}; first: ${first.file} ${first.record}: ${first.reason}`, code: first.code };
}

export async function applyBatch(
  tx: Queryable,
  batch: FeedBatch,
  run: ImportRunInfo,
  importId: number,
  at: Date,
  prune: boolean,
  epssJump: number,
) {
  switch (batch.kind) {
    case 'advisories': {
      const c = await upsertAdvisories(
        tx,
        run.source,
        batch.records,
        importId,
        at,
        batch.mergeByRelease === true,
      );
      return { ...c, removed: 0 };
    }
    case 'cve':
      return upsertCves(tx, batch.records, at, batch.from ?? 'cvelist');
    case 'kev':
      return upsertKev(tx, batch.records, importId, at, prune);
    case 'epss':
      return upsertEpss(tx, batch.file, importId, at, epssJump, prune);
    case 'endoflife':
      return upsertEol(tx, batch.records, importId, at, prune);
  }
}

export async function recordCount(
  tx: Queryable,
  kind: FeedBatch['kind'],
  source: FeedSource,
): Promise<number> {
  const r = await tx.query<{ n: number }>(RECORD_COUNT[kind], kind === 'advisories' ? [source] : []);
  return r.rows[0]?.n ?? 0;
}

export function batchMeta(batch: FeedBatch): Record<string, unknown> {
  if (batch.kind === 'epss')
    return { modelVersion: batch.file.modelVersion, scoreDate: batch.file.scoreDate };
  if (batch.kind === 'kev') return { catalogVersion: batch.catalogVersion, dateReleased: batch.dateReleased };
  return {};
}
