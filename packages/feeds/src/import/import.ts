/**
 * `feeds import`: read a path, parse it with the source's parser, and apply
 * the result to the store atomically. Per-record sources (OSV, the Debian
 * lists, CVE records) are streamed: one file or archive entry at a time,
 * applied in chunks of CHUNK_RECORDS through one store session, so memory
 * holds one chunk, never the archive. Bad records are reported and skipped;
 * when nothing usable is left, or the archive cannot be read to its end,
 * nothing changes.
 */
import {
  isPatchloopError,
  keepReleases,
  PatchloopError,
  FEED_SOURCES,
  type Advisory,
  type AdvisoryTarget,
  type ChunkBatch,
  type FeedApplySession,
  type FeedRecordError,
  type FeedSink,
  type FeedSource,
} from '@patchloop/core';
import type { FeedFile } from './files.js';
import { sizeOf, type ProgressFn } from './progress.js';
import { streamFeedPath } from './stream.js';
import { IMPORTERS } from './sources.js';

export type ImportStatus = 'ok' | 'partial' | 'failed' | 'unchanged';

export interface ImportSummary {
  readonly source: FeedSource;
  readonly origin: string;
  readonly status: ImportStatus;
  /** Records added, modified or removed. */
  readonly imported: number;
  readonly added: number;
  readonly modified: number;
  readonly unchanged: number;
  /** Records removed because a source published whole no longer has them. */
  readonly removed: number;
  /** Records reported and left out. */
  readonly skipped: number;
  /** Problems reported on records that were kept. */
  readonly warnings: number;
  readonly changeEvents: number;
  /** Advisories left out whole: none of their affected releases is kept (`releases`). */
  readonly filtered: number;
  readonly errors: readonly FeedRecordError[];
  /** 0 all imported (or nothing new), 3 partial (some records skipped), 1 nothing usable. */
  readonly exitCode: 0 | 1 | 3;
}

/** The counts of an import that changed nothing. */
export const NOTHING = {
  imported: 0,
  added: 0,
  modified: 0,
  unchanged: 0,
  removed: 0,
  changeEvents: 0,
  filtered: 0,
} as const;

export type { ImportPhase, ProgressFn } from './progress.js';

/** Records per store chunk of a streamed import. */
export const CHUNK_RECORDS = 2000;

export interface ImportOptions extends KeepOption {
  readonly maxFileBytes?: number | undefined;
  readonly onProgress?: ProgressFn | undefined;
  readonly chunk?: number;
  /**
   * Keep only the affected entries of these ecosystems and releases (an
   * advisory left with none is not imported, and counted as `filtered`);
   * null or absent: keep all.
   */
  readonly releases?: readonly AdvisoryTarget[] | null | undefined;
  /** Accept a whole catalogue (KEV, EPSS) much smaller than the one in use (see catalogueProblem). */
  readonly allowShrink?: boolean | undefined;
}

/** Advisories cut down to the kept releases; the others pass as they are. */
function keptOnly<T>(records: readonly T[], kind: string, options: ImportOptions, left: { n: number }): T[] {
  const targets = options.releases;
  if (!targets || kind !== 'advisories') return [...records];
  const out: T[] = [];
  for (const r of records) {
    const kept = keepReleases(r as Advisory, targets);
    if (kept === null) left.n++;
    else out.push(kept as T);
  }
  return out;
}

/** What a streamed import takes: ImportOptions (the name sync/context.ts and the CVE scope use). */
export type StreamOptions = ImportOptions;

interface KeepOption {
  /**
   * Only records whose id this accepts are applied (the `named` CVE scope);
   * the others are left out unreported. A file named after a record it
   * refuses (`CVE-2024-1234.json`) is not even parsed. When it leaves
   * nothing, the run is 'unchanged', not a failure.
   */
  readonly keep?: ((id: string) => boolean) | undefined;
}

/** A record's id in its file name, as cvelistV5 names its files. */
const ID_IN_NAME = /(CVE-\d{4}-\d+)\.json$/i;

export function assertSource(name: string): FeedSource {
  if ((FEED_SOURCES as readonly string[]).includes(name)) return name as FeedSource;
  throw new PatchloopError(
    'PL_FEED_SOURCE_UNKNOWN',
    `unknown feed source ${JSON.stringify(name)} (known: ${FEED_SOURCES.join(', ')})`,
    { source: name },
  );
}

/** The summary of a run that changed nothing, after recording it as failed. */
async function failed(
  sink: FeedSink,
  run: { source: FeedSource; origin: string; startedAt: Date },
  errors: readonly FeedRecordError[],
  error: { code: string; message: string },
): Promise<ImportSummary> {
  await sink.recordFailure({ ...run, errors }, error);
  const skipped = errors.filter((e) => e.warning !== true).length;
  return {
    source: run.source,
    origin: run.origin,
    status: 'failed',
    ...NOTHING,
    errors,
    skipped,
    warnings: errors.length - skipped,
    exitCode: 1,
  };
}

/**
 * Parses files one at a time as they come and applies their records in
 * chunks of `chunk` through one store session (streamed sources only). A
 * throw while reading (a truncated or corrupt archive) or storing aborts the
 * session: nothing changes, and the failure is recorded and reported.
 */
export async function applyStream(
  source: FeedSource,
  origin: string,
  files: AsyncIterable<FeedFile>,
  errors: FeedRecordError[],
  sink: FeedSink,
  options: ImportOptions = {},
): Promise<ImportSummary> {
  const stream = IMPORTERS[source].stream;
  const keep = options.keep;
  if (!stream) throw new Error(`${source} is not a streamed source`);
  const startedAt = new Date();
  const run = { source, origin, startedAt };
  const size = options.chunk ?? CHUNK_RECORDS;
  let session: FeedApplySession | null = null;
  let pending: ChunkBatch['records'][number][] = [];
  let records = 0;
  let seen = 0;
  let outOfScope = 0;
  const filtered = { n: 0 };
  const flush = async () => {
    if (pending.length === 0) return;
    session ??= await sink.begin(run);
    const batch = { kind: stream.kind, records: pending } as ChunkBatch;
    pending = [];
    await session.applyChunk(batch);
    options.onProgress?.('store', records, records);
  };
  try {
    for await (const f of files) {
      const named = keep ? ID_IN_NAME.exec(f.name)?.[1]?.toUpperCase() : undefined;
      if (keep && named !== undefined && !keep(named)) {
        outOfScope++;
        options.onProgress?.('parse', ++seen, 0);
        continue;
      }
      const r = stream.parseOne(f);
      for (const e of r.errors) errors.push(e);
      for (const rec of keptOnly(r.records, stream.kind, options, filtered)) {
        if (keep && !keep(rec.id)) outOfScope++;
        else {
          pending.push(rec);
          records++;
        }
      }
      options.onProgress?.('parse', ++seen, 0);
      if (pending.length >= size) await flush();
    }
    await flush();
  } catch (e) {
    await (session as FeedApplySession | null)?.abort();
    if (!isPatchloopError(e)) throw e;
    const err: FeedRecordError = {
      file: (e.details?.file as string | undefined) ?? origin,
      record: '(archive)',
      code: e.code as FeedRecordError['code'],
      reason: e.message,
    };
    return failed(sink, run, [...errors, err], { code: e.code, message: e.message });
  }
  if (session === null && filtered.n > 0 && errors.length === 0)
    return outsideReleases(sink, run, filtered.n);
  const skipped = errors.filter((e) => e.warning !== true).length;
  if (session === null && outOfScope > 0) {
    // Every usable record was out of the CVE scope: nothing to change, nothing wrong.
    return {
      source,
      origin,
      ...NOTHING,
      errors,
      skipped,
      warnings: errors.length - skipped,
      status: skipped > 0 ? 'partial' : 'unchanged',
      exitCode: skipped > 0 ? 3 : 0,
    };
  }
  if (session === null) {
    const message =
      seen === 0
        ? `no ${source} files found in ${origin}`
        : `nothing usable in ${origin}: ${errors.length} record(s) rejected`;
    return failed(sink, run, errors, { code: 'PL_FEED_NOTHING_USABLE', message });
  }
  const r = await (session as FeedApplySession).finish(errors);
  return {
    source,
    origin,
    errors,
    skipped,
    warnings: errors.length - skipped,
    status: skipped > 0 ? 'partial' : 'ok',
    imported: r.added + r.modified + r.removed,
    added: r.added,
    modified: r.modified,
    unchanged: r.unchanged,
    removed: r.removed,
    changeEvents: r.changeEvents,
    filtered: filtered.n,
    exitCode: skipped > 0 ? 3 : 0,
  };
}

/** Every record was of releases not kept: nothing to store, and nothing wrong. */
async function outsideReleases(
  sink: FeedSink,
  run: { source: FeedSource; origin: string; startedAt: Date },
  filtered: number,
): Promise<ImportSummary> {
  await sink.recordUnchanged({ ...run, errors: [] });
  return {
    ...run,
    status: 'unchanged',
    ...NOTHING,
    filtered,
    skipped: 0,
    warnings: 0,
    errors: [],
    exitCode: 0,
  };
}

/** Parses already-read files and applies them: shared by import and sync. */
export async function applyFiles(
  source: FeedSource,
  origin: string,
  files: readonly FeedFile[],
  readErrors: readonly FeedRecordError[],
  sink: FeedSink,
  options: ImportOptions = {},
): Promise<ImportSummary> {
  const { onProgress } = options;
  const startedAt = new Date();
  onProgress?.('parse', 0, files.length);
  const parsed = IMPORTERS[source].parse(files);
  onProgress?.('parse', files.length, files.length);
  const filtered = { n: 0 };
  if (parsed.batch?.kind === 'advisories') {
    const records = keptOnly(parsed.batch.records, 'advisories', options, filtered);
    parsed.batch = records.length > 0 ? { ...parsed.batch, records } : null;
    parsed.records = records.length;
  }
  const errors = [...readErrors, ...parsed.errors];
  const run = { source, origin, startedAt, errors };
  const skipped = errors.filter((e) => e.warning !== true).length;
  const base = { source, origin, errors, skipped, warnings: errors.length - skipped };
  if (parsed.batch === null && filtered.n > 0 && errors.length === 0)
    return outsideReleases(sink, { source, origin, startedAt }, filtered.n);
  if (parsed.batch === null) {
    const message =
      files.length === 0
        ? `no ${source} files found in ${origin}`
        : `nothing usable in ${origin}: ${errors.length} record(s) rejected`;
    await sink.recordFailure(run, { code: 'PL_FEED_NOTHING_USABLE', message });
    return { ...base, ...NOTHING, status: 'failed', exitCode: 1 };
  }
  const implausible = await catalogueProblem(source, parsed, sink, options);
  if (implausible !== null) {
    await sink.recordFailure(run, { code: 'PL_FEED_CATALOGUE_SHRANK', message: implausible });
    return { ...base, ...NOTHING, status: 'failed', exitCode: 1 };
  }
  onProgress?.('store', 0, parsed.records);
  const r = await sink.apply(parsed.batch, run);
  onProgress?.('store', parsed.records, parsed.records);
  return {
    ...base,
    status: skipped > 0 ? 'partial' : 'ok',
    imported: r.added + r.modified + r.removed,
    added: r.added,
    modified: r.modified,
    unchanged: r.unchanged,
    removed: r.removed,
    changeEvents: r.changeEvents,
    filtered: filtered.n,
    exitCode: skipped > 0 ? 3 : 0,
  };
}

/** Sources published whole, each import replacing the catalogue in use. */
const WHOLE_CATALOGUES: ReadonlySet<FeedSource> = new Set(['kev', 'epss']);
/** A whole catalogue smaller than the one in use by more than this share is refused. */
export const MAX_CATALOGUE_DROP = 0.1;

/**
 * Why a whole catalogue (KEV, EPSS) looks cut short, or null: fewer entries
 * than its own header announces, or a drop of more than MAX_CATALOGUE_DROP
 * from the catalogue in use (a download cut at a line boundary parses
 * cleanly and would replace 360,000 EPSS scores with 120,000).
 */
async function catalogueProblem(
  source: FeedSource,
  parsed: { records: number; announced?: number },
  sink: FeedSink,
  options: ImportOptions,
): Promise<string | null> {
  if (!WHOLE_CATALOGUES.has(source) || options.allowShrink === true) return null;
  if (parsed.announced !== undefined && parsed.records < parsed.announced) {
    return `${source}: the catalogue announces ${parsed.announced} entries but ${parsed.records} could be read (cut short?); the catalogue in use stays`;
  }
  const before = (await sink.status()).find((s) => s.source === source)?.records ?? 0;
  if (before > 0 && parsed.records < before * (1 - MAX_CATALOGUE_DROP)) {
    const drop = Math.round((1 - parsed.records / before) * 100);
    return `${source}: ${parsed.records} entries where the catalogue in use has ${before} (${drop} % fewer, more than ${MAX_CATALOGUE_DROP * 100} %): refused as implausible (cut short?); the catalogue in use stays (import it anyway with --allow-shrink)`;
  }
  return null;
}

export async function importFeed(
  source: FeedSource,
  path: string,
  sink: FeedSink,
  options: ImportOptions = {},
): Promise<ImportSummary> {
  const readErrors: FeedRecordError[] = [];
  const { onProgress } = options;
  const total = onProgress ? sizeOf(path) : 0;
  const files = streamFeedPath(
    path,
    {
      accept: IMPORTERS[source].accept,
      maxFileBytes: options.maxFileBytes,
      onBytes: onProgress ? (n) => onProgress('read', n, total) : undefined,
    },
    readErrors,
  );
  if (IMPORTERS[source].stream) return applyStream(source, path, files, readErrors, sink, options);
  // Catalogs published whole (KEV, EPSS, endoflife) and Alpine's secdb (one
  // advisory spans files) are parsed together; they are a few MB.
  const all: FeedFile[] = [];
  try {
    for await (const f of files) all.push(f);
  } catch (e) {
    if (!isPatchloopError(e) || (e.code !== 'PL_FEED_ARCHIVE_CORRUPT' && e.code !== 'PL_FEED_ARCHIVE_LIMIT'))
      throw e;
    const err: FeedRecordError = { file: path, record: '(archive)', code: e.code, reason: e.message };
    return failed(sink, { source, origin: path, startedAt: new Date() }, [...readErrors, err], {
      code: e.code,
      message: e.message,
    });
  }
  return applyFiles(source, path, all, readErrors, sink, options);
}
