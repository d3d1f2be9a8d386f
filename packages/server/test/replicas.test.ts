/**
 * Several server replicas on one PostgreSQL: a scheduled feed sync runs once
 * per slot whichever replica gets there first, and every queued job runs
 * exactly once across the replicas' workers.
 */
import { openStore, type Db, enqueueJob } from '@patchloop/store';
import { createDatabase } from '@patchloop/test-support/pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { bootstrap } from '../src/auth/bootstrap.js';
import { loadServerConfig } from '../src/config.js';
import { createContext } from '../src/context.js';
import { startWorker, type Worker } from '../src/jobs/worker.js';
import { tempFeedMirror } from './harness.js';

describe('replicas sharing one PostgreSQL', () => {
  const dbs: Db[] = [];
  const workers: Worker[] = [];
  const now = () => new Date('2026-11-23T10:15:00Z');

  beforeAll(async () => {
    const url = await createDatabase(inject('pgUrl'), `replicas_${process.pid}_${Date.now()}`);
    const config = loadServerConfig(
      {
        PATCHLOOP_ADMIN_TOKEN: 'replica-admin-token-0123',
        PATCHLOOP_ENROLL_SECRET: 'replica-enroll-secret-0123',
        PATCHLOOP_FEED_SYNC_INTERVAL: '1h',
      },
      // An empty mirror: the sync job runs (and fails per source) without the network.
      { feedMirror: tempFeedMirror() },
    );
    for (let i = 0; i < 3; i++) {
      const db = await openStore({ databaseUrl: url });
      dbs.push(db);
      const ctx = createContext(db, config, { now });
      await bootstrap(ctx);
      workers.push(startWorker(ctx, { autoStart: false }));
    }
  });

  afterAll(async () => {
    for (const w of workers) await w.stop();
    for (const db of dbs) await db.close();
  });

  it('runs the scheduled feed sync once and each job once', async () => {
    const db = dbs[0]!;
    for (let host = 1; host <= 30; host++) {
      await enqueueJob(db, 'assess-host', { hostId: 100_000 + host }, now());
    }
    await Promise.all(workers.map((w) => w.drain()));
    const jobs = await db.query<{ kind: string; n: number; attempts: number; status: string }>(
      `SELECT kind, status, count(*)::int AS n, max(attempts) AS attempts FROM job GROUP BY kind, status ORDER BY kind`,
    );
    expect(jobs.rows).toEqual([
      { kind: 'assess-host', status: 'done', n: 30, attempts: 1 },
      { kind: 'auto-deploy', status: 'done', n: 1, attempts: 1 },
      { kind: 'expire-exceptions', status: 'done', n: 1, attempts: 1 },
      { kind: 'feed-sync', status: 'done', n: 1, attempts: 1 },
    ]);
    const syncs = await db.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM audit_event WHERE action = 'feed.sync'",
    );
    expect(syncs.rows[0]?.n).toBe(1);
    // Bootstrap ran on every replica, but the admin user and token were created once.
    const users = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM app_user');
    expect(users.rows[0]?.n).toBe(1);
    const tokens = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM api_token');
    expect(tokens.rows[0]?.n).toBe(1);
  });
});
