/**
 * Table types for the typed query builder. They mirror the migrations in
 * packages/store/migrations (a test checks every table and column exists).
 */
import type { ColumnType, Generated } from 'kysely';

type Timestamp = ColumnType<Date, Date | string, Date | string>;
type Json = ColumnType<unknown, string, string>;

export interface FeedSourceTable {
  source: string;
  records: number;
  last_import: Timestamp | null;
  last_success: Timestamp | null;
  last_status: string | null;
  last_error: string | null;
  last_error_code: string | null;
  meta: Json;
}

export interface FeedDownloadTable {
  source: string;
  url: string;
  etag: string | null;
  last_modified: string | null;
  sha256: string | null;
  bytes: number | null;
  fetched_at: Timestamp;
}

export interface ImportRunTable {
  id: Generated<number>;
  source: string;
  origin: string;
  started_at: Timestamp;
  finished_at: Timestamp;
  status: 'ok' | 'partial' | 'failed' | 'unchanged';
  imported: number;
  skipped: number;
  unchanged: number;
  errors: Json;
}

export interface AdvisoryTable {
  source: string;
  id: string;
  published: Timestamp | null;
  modified: Timestamp | null;
  withdrawn: Timestamp | null;
  classification: string;
  severity: string | null;
  summary: string;
  aliases: string[];
  content_hash: string;
  doc: Json;
  imported_at: Timestamp;
}

export interface AdvisoryPackageTable {
  source: string;
  advisory_id: string;
  ecosystem: string;
  release: string;
  package: string;
  status: string;
  fixed_version: string | null;
}

export interface CveTable {
  id: string;
  state: string;
  published: Timestamp | null;
  modified: Timestamp | null;
  cvss_version: string | null;
  cvss_vector: string | null;
  cvss_score: number | null;
  severity: string | null;
  content_hash: string;
  doc: Json;
  imported_at: Timestamp;
}

export interface KevTable {
  cve_id: string;
  /** 'YYYY-MM-DD' (dates are read as text on both backends). */
  date_added: string;
  due_date: string;
  ransomware: boolean;
  content_hash: string;
  doc: Json;
  imported_at: Timestamp;
}

export interface EpssTable {
  cve_id: string;
  epss: number;
  percentile: number;
}

export interface EolCycleTable {
  product: string;
  cycle: string;
  content_hash: string;
  doc: Json;
  imported_at: Timestamp;
}

export interface ChangeEventTable {
  id: Generated<number>;
  at: Timestamp;
  source: string;
  kind: string;
  subject: string;
  import_id: number | null;
  details: Json;
}

export interface Database {
  feed_source: FeedSourceTable;
  feed_download: FeedDownloadTable;
  import_run: ImportRunTable;
  advisory: AdvisoryTable;
  advisory_package: AdvisoryPackageTable;
  cve: CveTable;
  kev: KevTable;
  epss: EpssTable;
  eol_cycle: EolCycleTable;
  change_event: ChangeEventTable;
}
