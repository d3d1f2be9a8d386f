/**
 * `feeds import`: read a path, parse it with the source's parser, and apply
 * the result to the store in one transaction. Bad records are reported and
 * skipped; when nothing usable is left, nothing changes.
 */
import {
  PatchloopError,
  FEED_SOURCES,
  type FeedRecordError,
  type FeedSink,
  type FeedSource,
} from '@patchloop/core';
import { readFeedPath, type FeedFile } from './files.js';
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
} as const;

export type ImportPhase = 'read' | 'parse' | 'store';
export type ProgressFn = (phase: ImportPhase, done: number, total: number) => void;

export function assertSource(name: string): FeedSource {
  if ((FEED_SOURCES as readonly string[]).includes(name)) return name as FeedSource;
  throw new PatchloopError(
    'PL_FEED_SOURCE_UNKNOWN',
    `unknown feed source ${JSON.stringify(name)} (known: ${FEED_SOURCES.join(', ')})`,
    { source: name },
  );
}

/** Parses already-read files and applies them: shared by import and sync. */
export async function applyFiles(
  source: FeedSource,
  origin: string,
  files: readonly FeedFile[],
  readErrors: readonly FeedRecordError[],
  sink: FeedSink,
  onProgress?: ProgressFn,
): Promise<ImportSummary> {
  const startedAt = new Date();
  onProgress?.('parse', 0, files.length);
  const parsed = IMPORTERS[source].parse(files);
  onProgress?.('parse', files.length, files.length);
  const errors = [...readErrors, ...parsed.errors];
  const run = { source, origin, startedAt, errors };
  const skipped = errors.filter((e) => e.warning !== true).length;
  const base = { source, origin, errors, skipped, warnings: errors.length - skipped };
  if (parsed.batch === null) {
    const message =
      files.length === 0
        ? `no ${source} files found in ${origin}`
        : `nothing usable in ${origin}: ${errors.length} record(s) rejected`;
    await sink.recordFailure(run, { code: 'PL_FEED_NOTHING_USABLE', message });
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
    exitCode: skipped > 0 ? 3 : 0,
  };
}

export async function importFeed(
  source: FeedSource,
  path: string,
  sink: FeedSink,
  options: { maxFileBytes?: number; onProgress?: ProgressFn } = {},
): Promise<ImportSummary> {
  const readErrors: FeedRecordError[] = [];
  options.onProgress?.('read', 0, 1);
  const files = readFeedPath(
    path,
    { accept: IMPORTERS[source].accept, maxFileBytes: options.maxFileBytes },
    readErrors,
  );
  options.onProgress?.('read', 1, 1);
  return applyFiles(source, path, files, readErrors, sink, options.onProgress);
}
