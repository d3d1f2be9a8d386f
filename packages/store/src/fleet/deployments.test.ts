/**
 * Deployment storage at fleet scale: a deployment's tasks written in one
 * statement, counted per ring and status in SQL (equal to core's tally of
 * the same tasks), paged by (ring, hostname, id), the queued tasks of a
 * ring read for dispatch with their hosts, time-out candidates by status,
 * and batched task updates.
 */
import { tallyTasks, type DeployTask } from '@patchloop/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS } from '../../test/backends.js';
import type { Db, Queryable } from '../db.js';
import {
  finishTasks,
  markDispatched,
  nextJobSequences,
  queuedForDispatch,
  ringTallies,
  taskPage,
  timeOutCandidates,
  type TaskCursor,
} from './deployment-tasks.js';
import { insertDeployment, listTasks } from './deployments.js';

const NOW = new Date('2026-11-23T10:00:00Z');
const HOSTS = 1_200;
const at = (s: number) => new Date(NOW.getTime() + s * 1000);

/** Counts the statements a store function sends. */
function counting(q: Queryable): { q: Queryable; n: () => number } {
  let n = 0;
  return {
    q: {
      ...q,
      query: (sql: string, params?: unknown[]) => {
        n++;
        return q.query(sql, params as never);
      },
    } as Queryable,
    n: () => n,
  };
}

describe.each(BACKENDS)('deployment storage on $name', (backend) => {
  let db: Db;
  let done: () => Promise<void>;
  let hostIds: number[];
  let deploymentId: number;

  beforeAll(async () => {
    ({ db, done } = await backend.open());
    const r = await db.query<{ id: number }>(
      `INSERT INTO host (machine_id, hostname, transport, tags, enrolled_at, package_manager)
       SELECT 'm-' || i, 'host-' || lpad(i::text, 5, '0'), 'agent', '{}', $1, 'dpkg' FROM generate_series(1, $2) i
       RETURNING id`,
      [NOW, HOSTS],
    );
    hostIds = r.rows.map((x) => Number(x.id)).sort((a, b) => a - b);
  }, 120_000);
  afterAll(() => done());

  it('writes every task of a deployment in one statement', async () => {
    const c = counting(db);
    const d = await insertDeployment(c.q, {
      kind: 'install',
      parentId: null,
      policy: null,
      policyVersion: null,
      rings: [{ name: 'pilot' }, { name: 'broad' }],
      schedule: null,
      reboot: 'never',
      preScript: null,
      postScript: null,
      createdBy: 'test',
      now: NOW,
      tasks: hostIds.map((hostId, i) => ({
        id: `t${String(i).padStart(5, '0')}`,
        hostId,
        hostname: `host-${String(i + 1).padStart(5, '0')}`,
        ring: i < 100 ? 'pilot' : 'broad',
        packages: [{ name: 'openssl', version: `3.0.${i}` }],
        advisories: i % 2 === 0 ? ['DSA-1', 'DSA-2'] : [],
        // The first ten tasks of broad are past their deadline.
        deadline: i >= 100 && i < 110 ? at(-1) : at(3600),
        timeoutSeconds: 60,
      })),
    });
    deploymentId = d.id;
    expect(c.n()).toBe(2);
    const tasks = await listTasks(db, d.id);
    expect(tasks).toHaveLength(HOSTS);
    const t2 = tasks.find((t) => t.id === 't00002')!;
    expect(t2).toMatchObject({
      hostId: hostIds[2],
      ring: 'pilot',
      status: 'queued',
      packages: [{ name: 'openssl', version: '3.0.2' }],
      advisories: ['DSA-1', 'DSA-2'],
      queuedAt: NOW,
    });
    expect(tasks.find((t) => t.id === 't00003')!.advisories).toEqual([]);
  });

  it('reads the first queued tasks of a ring by id, with their hosts, skipping those past the deadline', async () => {
    const pilot = await queuedForDispatch(db, deploymentId, 'pilot', 3, NOW);
    expect(pilot.map((c) => c.id)).toEqual(['t00000', 't00001', 't00002']);
    expect(pilot[0]!.host).toEqual({
      transport: 'agent',
      packageManager: 'dpkg',
      updatesKnown: false,
      machineId: 'm-1',
    });
    const broad = await queuedForDispatch(db, deploymentId, 'broad', 2, NOW);
    expect(broad.map((c) => c.id)).toEqual(['t00110', 't00111']);
  });

  it('moves many tasks in one statement each, and counts them in SQL as core tallies them', async () => {
    const seqs = await nextJobSequences(db, hostIds.slice(0, 100));
    expect(seqs.size).toBe(100);
    expect(seqs.get(hostIds[0]!)).toBe(1);
    const c = counting(db);
    await markDispatched(
      c.q,
      Array.from({ length: 100 }, (_, i) => ({
        id: `t${String(i).padStart(5, '0')}`,
        signature: { seq: i },
      })),
      at(-600),
    );
    await finishTasks(
      c.q,
      [
        ...Array.from({ length: 60 }, (_, i) => ({
          id: `t${String(i).padStart(5, '0')}`,
          status: 'succeeded',
          logLine: 'ok\n',
        })),
        { id: 't00060', status: 'failed', logLine: 'no\n', errorCode: 'PL_X', errorMessage: 'broke' },
      ],
      at(-300),
    );
    expect(c.n()).toBe(2);
    const tasks = await listTasks(db, deploymentId);
    const t60 = tasks.find((t) => t.id === 't00060')!;
    expect(t60).toMatchObject({ status: 'failed', errorCode: 'PL_X', errorMessage: 'broke' });
    expect(tasks.find((t) => t.id === 't00001')!.signature).toEqual({ seq: 1 });
    const resumedAt = at(-400);
    const core = tallyTasks(
      tasks.map((t) => ({ ...t, status: t.status as DeployTask['status'] })),
      resumedAt,
    );
    const sql = await ringTallies(db, deploymentId, resumedAt);
    expect(new Map(sql.map(({ ring, ...t }) => [ring, t]))).toEqual(core);
    expect(sql.find((r) => r.ring === 'pilot')).toMatchObject({
      total: 100,
      succeeded: 60,
      failed: 1,
      inFlight: 39,
      budgetFailed: 1,
    });
  });

  it('finds the tasks due to time out by status: queued past the deadline, in flight past timeout + grace', async () => {
    // Dispatched 600 s ago with a 60 s timeout: due with a 120 s grace, not with a 600 s one.
    const due = await timeOutCandidates(db, deploymentId, NOW, 120);
    expect(due.filter((c) => c.status === 'queued').map((c) => c.id)).toEqual(
      Array.from({ length: 10 }, (_, i) => `t00${100 + i}`),
    );
    expect(due.filter((c) => c.status === 'dispatched')).toHaveLength(39);
    expect((await timeOutCandidates(db, deploymentId, NOW, 600)).every((c) => c.status === 'queued')).toBe(
      true,
    );
  });

  it('pages the tasks by (ring, hostname, id): every task once, in order; one status', async () => {
    const seen: string[] = [];
    let after: TaskCursor | null = null;
    let pages = 0;
    do {
      const p: Awaited<ReturnType<typeof taskPage>> = await taskPage(db, deploymentId, { limit: 250, after });
      seen.push(...p.items.map((t) => `${t.ring}/${t.hostname}`));
      expect(p.items.length).toBeLessThanOrEqual(250);
      after = p.next;
      pages++;
    } while (after !== null);
    expect(pages).toBe(5);
    expect(seen).toHaveLength(HOSTS);
    expect(new Set(seen).size).toBe(HOSTS);
    expect(seen).toEqual([...seen].sort());
    const failed = await taskPage(db, deploymentId, { limit: 10, status: 'failed' });
    expect(failed.items.map((t) => t.id)).toEqual(['t00060']);
    expect(failed.next).toBeNull();
    expect('log' in (failed.items[0] ?? {})).toBe(false);
  });
});
