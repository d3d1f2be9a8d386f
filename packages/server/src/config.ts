/**
 * Server configuration from PATCHLOOP_… environment variables (and flags the
 * CLI passes), validated at start with a message naming the bad setting.
 */
import { parseDuration, parseFeedReleases, PatchloopError, type FeedReleases } from '@patchloop/core';
import { syncSettingsFromEnv, type SyncSettings } from '@patchloop/feeds';

export interface ServerConfig {
  readonly host: string;
  readonly port: number;
  /** Bootstrap admin API token (any string of 16+ characters), if given. */
  readonly adminToken: string | undefined;
  /** Password for user "admin" at first start, if given (otherwise generated and printed once). */
  readonly adminPassword: string | undefined;
  /** Shared enrollment secret; generated at first start and kept in the store when not given. */
  readonly enrollSecret: string | undefined;
  /** Hosts not seen for this long are stale. */
  readonly staleAfterMs: number;
  /** How often agents are asked to check in. */
  readonly checkinIntervalSeconds: number;
  /** How often feeds are synced (0: never on a schedule). */
  readonly feedSyncIntervalMs: number;
  /** Directory of feed files to import instead of downloading (air-gapped sites). */
  readonly feedMirror: string | undefined;
  /** Publisher URLs, OSV ecosystems, Alpine branches, download limits (PATCHLOOP_FEED_URL_…, PATCHLOOP_OSV_…: feeds' settings.ts). */
  readonly feedSync: SyncSettings;
  /** Releases whose advisories are kept (PATCHLOOP_FEED_RELEASES: all, fleet, <os>:<version>,…); null: all. */
  readonly feedReleases: FeedReleases | null;
  /** Heap cap of the child process a feed sync or import runs in (PATCHLOOP_SYNC_MAX_HEAP_MB, default 1024). */
  readonly syncMaxHeapMb: number;
  /** A feed sync or import child running longer than this is killed and reported (PATCHLOOP_SYNC_TIMEOUT, default 2h). */
  readonly syncTimeoutMs: number;
  /** How long a start waits for PostgreSQL to be reachable (PATCHLOOP_DB_WAIT, default 2m; 0 fails at once). */
  readonly dbWaitMs: number;
  /** Run background jobs (assessment, feed sync, deployments) for this replica. */
  readonly runJobs: boolean;
  /**
   * On PostgreSQL: how many worker processes run the jobs beside the server (PATCHLOOP_WORKERS,
   * default 1; 0 runs them in the server's own process). The embedded store runs them in-process.
   */
  readonly workerProcesses: number;
  /**
   * Fleet-wide summaries (dashboard, compliance, vulnerabilities) that took at least this long are kept
   * for later requests while no finding or exception changes, for at most a minute
   * (PATCHLOOP_READ_MEMO_MS, default 250; `off`: always computed). See services/read-memo.ts.
   */
  readonly readMemoMs: number;
  readonly logLevel: string;
  /** The URL agents reach this server at (behind a proxy or NAT), for the enrollment command. */
  readonly publicUrl: string | undefined;
  /** The built console (index.html and assets) served at `/`; none when undefined. */
  readonly consoleDir: string | undefined;
  /** The largest feed file the API accepts for import (PATCHLOOP_UPLOAD_LIMIT_MB, default 4096). */
  readonly uploadLimitBytes: number;
  /** Which CVE records feed sync stores: every one, or only those stored advisories name (PATCHLOOP_CVE_SCOPE). */
  readonly cveScope: 'all' | 'named';
  /** NVD API 2.0 key: feed sync then also takes NVD's own CVSS scores (PATCHLOOP_NVD_API_KEY). */
  readonly nvdApiKey: string | undefined;
  /** The built agent (packaging/dist: tarballs, .deb, .rpm) served at /downloads/ and by /install.sh. */
  readonly downloadsDir: string | undefined;
  /** The Ed25519 key jobs are signed with (PATCHLOOP_JOB_SIGNING_KEY_FILE; default: the embedded store's data directory). */
  readonly jobSigningKeyFile: string | undefined;
  /** The key a rotation hands over to (PATCHLOOP_JOB_SIGNING_NEXT_KEY_FILE). */
  readonly jobSigningNextKeyFile: string | undefined;
  /** How long a job's signature is valid at most (PATCHLOOP_JOB_SIGNATURE_TTL, default 24h; capped by the window's end). */
  readonly jobSignatureTtlMs: number;
}

type Env = Readonly<Record<string, string | undefined>>;

function workerCount(value: string | undefined): number {
  if (value === undefined || value === '') return 1;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 64) {
    throw new PatchloopError(
      'PL_SERVER_CONFIG_INVALID',
      `PATCHLOOP_WORKERS must be a whole number from 0 to 64 (worker processes beside the server), not "${value}"`,
    );
  }
  return n;
}

function readMemoMs(value: string | undefined): number {
  if (value === undefined || value === '') return 250;
  if (value === 'off') return Number.POSITIVE_INFINITY;
  if (!/^\d{1,6}$/.test(value)) {
    throw new PatchloopError(
      'PL_SERVER_CONFIG_INVALID',
      `PATCHLOOP_READ_MEMO_MS must be milliseconds (0 to 999999) or "off", not "${value}"`,
    );
  }
  return Number(value);
}

function megabytes(name: string, value: string): number {
  if (!/^\d{1,7}$/.test(value) || Number(value) < 1) {
    throw new PatchloopError(
      'PL_SERVER_CONFIG_INVALID',
      `${name} must be a whole number of MiB (1 or more), got "${value}"`,
    );
  }
  return Number(value) * 1024 * 1024;
}

function feedReleases(value: string | undefined): FeedReleases | null {
  const r = parseFeedReleases(value);
  if ('problem' in r)
    throw new PatchloopError('PL_SERVER_CONFIG_INVALID', `PATCHLOOP_FEED_RELEASES: ${r.problem}`);
  return r.value;
}

/** A duration setting ("90s", "15m", "6h", "7d", "1h30m": core's one grammar) → milliseconds. */
function durationSetting(name: string, value: string): number {
  const ms = parseDuration(value.trim());
  if (ms === null) {
    throw new PatchloopError(
      'PL_SERVER_CONFIG_INVALID',
      `${name} must be a duration like 90s, 15m, 6h, 7d or 1h30m, got "${value}"`,
    );
  }
  return ms;
}

function port(name: string, value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) {
    throw new PatchloopError(
      'PL_SERVER_CONFIG_INVALID',
      `${name} must be a port number 0-65535, got "${value}"`,
    );
  }
  return n;
}

function publicUrl(value: string | undefined): string | undefined {
  if (value === undefined || value === '') return undefined;
  if (!/^https?:\/\/[^\s/]+(\/[^\s]*)?$/.test(value)) {
    throw new PatchloopError(
      'PL_SERVER_CONFIG_INVALID',
      `PATCHLOOP_PUBLIC_URL must be an http(s) URL, got "${value}"`,
    );
  }
  return value.replace(/\/+$/, '');
}

function cveScope(value: string | undefined): 'all' | 'named' {
  const v = value === undefined || value === '' ? 'all' : value;
  if (v !== 'all' && v !== 'named') {
    throw new PatchloopError(
      'PL_SERVER_CONFIG_INVALID',
      `PATCHLOOP_CVE_SCOPE must be "all" (every CVE record) or "named" (only the CVEs stored advisories name), got "${value}"`,
    );
  }
  return v;
}

function nvdApiKey(value: string | undefined): string | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  // NVD's keys are UUIDs; anything with spaces or control characters cannot go in a header.
  if (!/^[\x21-\x7e]{8,128}$/.test(value)) {
    throw new PatchloopError(
      'PL_SERVER_CONFIG_INVALID',
      'PATCHLOOP_NVD_API_KEY must be the API key NVD sent you (8-128 printable characters, no spaces)',
    );
  }
  return value;
}

export function loadServerConfig(env: Env, overrides: Partial<ServerConfig> = {}): ServerConfig {
  const adminToken = env.PATCHLOOP_ADMIN_TOKEN || undefined;
  if (adminToken !== undefined && (adminToken.length < 16 || adminToken.startsWith('pla_'))) {
    throw new PatchloopError(
      'PL_SERVER_CONFIG_INVALID',
      'PATCHLOOP_ADMIN_TOKEN must be at least 16 characters and must not start with "pla_" (agent credentials)',
    );
  }
  const adminPassword = env.PATCHLOOP_ADMIN_PASSWORD || undefined;
  if (adminPassword !== undefined && adminPassword.length < 12) {
    throw new PatchloopError(
      'PL_SERVER_CONFIG_INVALID',
      'PATCHLOOP_ADMIN_PASSWORD must be at least 12 characters',
    );
  }
  const enrollSecret = env.PATCHLOOP_ENROLL_SECRET || undefined;
  if (enrollSecret !== undefined && enrollSecret.length < 16) {
    throw new PatchloopError(
      'PL_SERVER_CONFIG_INVALID',
      'PATCHLOOP_ENROLL_SECRET must be at least 16 characters',
    );
  }
  const interval = durationSetting('PATCHLOOP_CHECKIN_INTERVAL', env.PATCHLOOP_CHECKIN_INTERVAL ?? '60s');
  return {
    host: env.PATCHLOOP_HOST ?? '127.0.0.1',
    port: port('PATCHLOOP_PORT', env.PATCHLOOP_PORT ?? '8080'),
    adminToken,
    adminPassword,
    enrollSecret,
    staleAfterMs: durationSetting('PATCHLOOP_STALE_AFTER', env.PATCHLOOP_STALE_AFTER ?? '24h'),
    checkinIntervalSeconds: Math.max(1, Math.round(interval / 1000)),
    feedSyncIntervalMs:
      env.PATCHLOOP_FEED_SYNC_INTERVAL === '0'
        ? 0
        : durationSetting('PATCHLOOP_FEED_SYNC_INTERVAL', env.PATCHLOOP_FEED_SYNC_INTERVAL ?? '6h'),
    feedMirror: env.PATCHLOOP_FEED_MIRROR || undefined,
    feedSync: syncSettingsFromEnv(env),
    feedReleases: feedReleases(env.PATCHLOOP_FEED_RELEASES),
    syncMaxHeapMb:
      megabytes('PATCHLOOP_SYNC_MAX_HEAP_MB', env.PATCHLOOP_SYNC_MAX_HEAP_MB ?? '1024') / (1024 * 1024),
    syncTimeoutMs: durationSetting('PATCHLOOP_SYNC_TIMEOUT', env.PATCHLOOP_SYNC_TIMEOUT ?? '2h'),
    dbWaitMs:
      env.PATCHLOOP_DB_WAIT === '0' ? 0 : durationSetting('PATCHLOOP_DB_WAIT', env.PATCHLOOP_DB_WAIT ?? '2m'),
    runJobs: env.PATCHLOOP_RUN_JOBS !== 'false',
    workerProcesses: workerCount(env.PATCHLOOP_WORKERS),
    readMemoMs: readMemoMs(env.PATCHLOOP_READ_MEMO_MS),
    logLevel: env.PATCHLOOP_LOG_LEVEL ?? 'info',
    publicUrl: publicUrl(env.PATCHLOOP_PUBLIC_URL),
    consoleDir: env.PATCHLOOP_CONSOLE_DIR || undefined,
    uploadLimitBytes: megabytes('PATCHLOOP_UPLOAD_LIMIT_MB', env.PATCHLOOP_UPLOAD_LIMIT_MB ?? '4096'),
    downloadsDir: env.PATCHLOOP_DOWNLOADS_DIR || undefined,
    cveScope: cveScope(env.PATCHLOOP_CVE_SCOPE),
    nvdApiKey: nvdApiKey(env.PATCHLOOP_NVD_API_KEY),
    jobSigningKeyFile: env.PATCHLOOP_JOB_SIGNING_KEY_FILE || undefined,
    jobSigningNextKeyFile: env.PATCHLOOP_JOB_SIGNING_NEXT_KEY_FILE || undefined,
    jobSignatureTtlMs: durationSetting(
      'PATCHLOOP_JOB_SIGNATURE_TTL',
      env.PATCHLOOP_JOB_SIGNATURE_TTL ?? '24h',
    ),
    ...overrides,
  };
}
