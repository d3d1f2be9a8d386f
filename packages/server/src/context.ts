/**
 * What routes, services and jobs share: the store, the configuration, the
 * clock and the credential caches. One per server process.
 */
import { hostsWithPendingTasks, type Db } from '@patchloop/store';
import type { FastifyBaseLogger } from 'fastify';
import type { Principal } from './auth/principal.js';
import { AttemptThrottle } from './auth/attempt-throttle.js';
import { CredentialCache, newToken } from './auth/secrets.js';
import type { ServerConfig } from './config.js';
import { JobWaiters } from './services/job-waiters.js';
import { ReadMemo } from './services/read-memo.js';
import { FeedRuns } from './jobs/feed-runs.js';
import { JobKeys } from './signing/keys.js';

export interface ServerContext {
  readonly db: Db;
  readonly config: ServerConfig;
  readonly now: () => Date;
  readonly credentials: CredentialCache<Principal>;
  /** Password and enrollment attempts, counted in the store (refused for a while after too many). */
  readonly logins: AttemptThrottle;
  /**
   * Accepted by enrollment besides the enrollment secret, never stored or printed: what this
   * process's own agent (`patchloop up`) enrolls with, as the real secret is kept only hashed.
   */
  readonly localEnrollSecret: string;
  /** Set once the app is built: the server's logger. */
  log: FastifyBaseLogger | null;
  /** The embedded store's data directory, whose scan index is rewritten after feed changes; null on PostgreSQL. */
  readonly dataDir: string | null;
  /** PostgreSQL's URL, which a feed sync's child process connects with; null on the embedded store. */
  readonly databaseUrl: string | null;
  /** Feed syncs and imports running in child processes now, with their progress. */
  readonly feedRuns: FeedRuns;
  /** Wakes the job worker (a job was queued in this process). */
  wakeJobs: () => void;
  /** Agents' parked long polls for deployment jobs. */
  readonly agentJobs: JobWaiters;
  /** The job signing keys (files outside the database, read at first use). */
  readonly jobKeys: JobKeys;
  /** Slow fleet-wide summaries kept between requests (config.readMemoMs). */
  readonly readMemo: ReadMemo;
}

export function createContext(
  db: Db,
  config: ServerConfig,
  opts: { now?: () => Date; dataDir?: string | null; databaseUrl?: string | null } = {},
): ServerContext {
  const ctx: ServerContext = {
    db,
    config,
    now: opts.now ?? (() => new Date()),
    credentials: new CredentialCache(),
    logins: new AttemptThrottle(db),
    localEnrollSecret: newToken('plt'),
    log: null,
    dataDir: opts.dataDir ?? null,
    databaseUrl: opts.databaseUrl ?? null,
    feedRuns: new FeedRuns(),
    wakeJobs: () => {},
    jobKeys: new JobKeys({
      keyFile: config.jobSigningKeyFile,
      nextKeyFile: config.jobSigningNextKeyFile,
      dataDir: opts.dataDir ?? null,
    }),
    readMemo: new ReadMemo({ minComputeMs: config.readMemoMs, maxAgeMs: 60_000, maxEntries: 64 }),
    agentJobs: new JobWaiters(
      (ids) => hostsWithPendingTasks(db, ids),
      3000,
      (e) => ctx.log?.warn({ err: e.message }, 'job poll recheck failed'),
    ),
  };
  return ctx;
}
