/**
 * The port between feed parsing (packages/feeds) and the store
 * (packages/store): parsed data for one source goes in as one batch, or, for
 * archives of any size, as a session of bounded chunks (`begin` → `applyChunk`
 * … → `finish`), and is applied atomically either way. The apps wire a
 * store-backed sink to the importer.
 */
import type {
  Advisory,
  CveRecord,
  EolCycle,
  EpssFile,
  FeedRecordError,
  FeedSource,
  KevEntry,
} from './model.js';

export type FeedBatch =
  | {
      readonly kind: 'advisories';
      readonly records: readonly Advisory[];
      /**
       * The feed spreads one advisory over several files (Alpine's secdb: one
       * file per branch). The store then replaces only the releases a record
       * brings and keeps the ones it holds from other files.
       */
      readonly mergeByRelease?: boolean;
    }
  | {
      readonly kind: 'cve';
      readonly records: readonly CveRecord[];
      /**
       * 'nvd': records read from the NVD API. Only their "nvd" metrics are
       * merged into a stored CVE (its CNA/ADP metrics and text stay); a CVE
       * not stored yet is added as given. Otherwise (cvelistV5 records) a
       * stored CVE's "nvd" metrics are kept beside the new record's own.
       */
      readonly from?: 'cvelist' | 'nvd';
    }
  | {
      readonly kind: 'kev';
      readonly records: readonly KevEntry[];
      readonly catalogVersion: string | null;
      readonly dateReleased: string | null;
    }
  | { readonly kind: 'epss'; readonly file: EpssFile }
  | { readonly kind: 'endoflife'; readonly records: readonly EolCycle[] };

export interface ImportRunInfo {
  readonly source: FeedSource;
  /** The path, directory, archive or URL the data came from. */
  readonly origin: string;
  readonly startedAt: Date;
  /** Records reported and skipped while parsing. */
  readonly errors: readonly FeedRecordError[];
}

/** An import run as it starts: its errors are known only when it finishes. */
export type ImportRunStart = Omit<ImportRunInfo, 'errors'>;

/** The batches a session takes in chunks: per-record sources, never pruned. */
export type ChunkBatch = Extract<FeedBatch, { kind: 'advisories' | 'cve' }>;

/**
 * One import applied in chunks. Nothing is visible to readers until
 * `finish` commits; `abort` (or a failed chunk) leaves the previous data.
 */
export interface FeedApplySession {
  /** Applies one bounded chunk of records (a few thousand). */
  applyChunk(batch: ChunkBatch): Promise<void>;
  /** Commits the run with the problems reported while reading and parsing. */
  finish(errors: readonly FeedRecordError[]): Promise<ApplyResult>;
  /** Rolls everything back; the store is as it was before `begin`. */
  abort(): Promise<void>;
}

export interface ApplyResult {
  /** New records. */
  readonly added: number;
  /** Records that existed and changed. */
  readonly modified: number;
  /** Records identical to what the store already had. */
  readonly unchanged: number;
  /** Records removed because a source published whole (KEV, EPSS, an endoflife product) no longer has them. */
  readonly removed: number;
  /** Change events written for alerting. */
  readonly changeEvents: number;
}

export interface FeedSourceStatus {
  readonly source: FeedSource;
  readonly records: number;
  readonly lastImport: string | null;
  readonly lastSuccess: string | null;
  readonly lastStatus: string | null;
  readonly lastError: string | null;
  readonly lastErrorCode: string | null;
  readonly meta: Readonly<Record<string, unknown>>;
}

export interface DownloadState {
  readonly etag: string | null;
  readonly lastModified: string | null;
  readonly sha256: string | null;
}

/** The CVEs that stored advisories name (their ids and aliases): the `named` CVE scope. */
export interface NamedCves {
  /** CVE ids, each once. */
  readonly ids: readonly string[];
  /** How many of them have no CVE record stored. */
  readonly missing: number;
}

export interface FeedSink {
  /** Applies a source's parsed records in one transaction; all or nothing. */
  apply(batch: FeedBatch, run: ImportRunInfo): Promise<ApplyResult>;
  /**
   * Starts a chunked import (advisories and CVE records; catalogs published
   * whole and pruned, KEV, EPSS and endoflife, go through `apply`). Until the
   * session ends, the sink is reserved for it.
   */
  begin(run: ImportRunStart): Promise<FeedApplySession>;
  /** Records an import or sync that changed nothing (failed, or nothing usable). */
  recordFailure(run: ImportRunInfo, error: { code: string; message: string }): Promise<void>;
  /** Records a sync that found every download unchanged (HTTP 304 or same content). */
  recordUnchanged(run: ImportRunInfo): Promise<void>;
  status(): Promise<FeedSourceStatus[]>;
  downloadState(source: FeedSource, url: string): Promise<DownloadState | null>;
  saveDownloadState(source: FeedSource, url: string, state: DownloadState & { bytes: number }): Promise<void>;
  /** The CVE ids stored advisories name (sync's `named` CVE scope). */
  namedCves(): Promise<NamedCves>;
}
