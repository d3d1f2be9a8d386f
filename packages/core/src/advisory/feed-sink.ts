/**
 * The port between feed parsing (packages/feeds) and the store
 * (packages/store): parsed data for one source goes in as one batch and is
 * applied atomically. The apps wire a store-backed sink to the importer.
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
  | { readonly kind: 'cve'; readonly records: readonly CveRecord[] }
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

export interface FeedSink {
  /** Applies a source's parsed records in one transaction; all or nothing. */
  apply(batch: FeedBatch, run: ImportRunInfo): Promise<ApplyResult>;
  /** Records an import or sync that changed nothing (failed, or nothing usable). */
  recordFailure(run: ImportRunInfo, error: { code: string; message: string }): Promise<void>;
  /** Records a sync that found every download unchanged (HTTP 304 or same content). */
  recordUnchanged(run: ImportRunInfo): Promise<void>;
  status(): Promise<FeedSourceStatus[]>;
  downloadState(source: FeedSource, url: string): Promise<DownloadState | null>;
  saveDownloadState(source: FeedSource, url: string, state: DownloadState & { bytes: number }): Promise<void>;
}
