export type { Db, DbConfig, Queryable, QueryResult } from './db.js';
export { openStore, resolveDbConfig, DEFAULT_DATA_DIR } from './open.js';
export { acquireStoreLock, describeOwner, LOCK_FILE, type StoreLock, type StoreOwner } from './store-lock.js';
export { migrate, loadMigrations, schemaVersion, type Migration } from './migrate.js';
export { openPglite } from './pglite-db.js';
export { openPostgres } from './postgres-db.js';
export { createFeedStore, type FeedStoreOptions } from './feeds/feed-store.js';
export { storableText } from './feeds/rows.js';
export { feedGeneration } from './feeds/generation.js';
export { cleanAbandonedStaging, STALE_SESSION_MS, type AbandonedSession } from './feeds/staging.js';
export { TABLES, VIEWS } from './schema.js';
export type { Row, TableName, SqlType, ColumnSpec } from './row.js';
export { loadScanData, type ScanData, type ScanDataRequest } from './assessment/scan-data.js';
export { ScanDataCache, type CachedScanSources } from './assessment/scan-cache.js';
export { readScanIndex, removeScanIndex, writeScanIndex, SCAN_INDEX_DIR } from './assessment/scan-index.js';
export * from './fleet/index.js';
export {
  appendAudit,
  listAudit,
  MAX_AUDIT_PAGE,
  type AuditEvent,
  type AuditEventInput,
  type AuditQuery,
} from './audit/audit-log.js';
export {
  verifyAudit,
  type AuditProblem,
  type AuditProblemCode,
  type AuditVerification,
  type VerifyOptions,
} from './audit/verify.js';
export { canonicalJson, eventHash, GENESIS_HASH } from './audit/hash.js';
export { lockBootstrap, lockEnrollMachine, lockHostAssessment } from './locks.js';
export {
  closedFindingsOfDeployment,
  deploymentApprovals,
  type ClosedFindingRow,
  type DeploymentApprovalRow,
} from './views/deployment-evidence.js';
export { openFindingsForCatalogue, type CatalogueFindingRow } from './views/host-open-findings.js';
