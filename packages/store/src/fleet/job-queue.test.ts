/**
 * The job queue under a fleet-sized backlog (issue #17): 20,000 queued
 * assessments, queued in bulk; claims walk an index in order (no sort of
 * the backlog, no sequential scan), for any kind and for one kind, on both
 * backends.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS } from '../../test/backends.js';
import type { Db } from '../db.js';
import { JOB_KINDS, queueAssessHosts } from './job-kinds.js';
import { claimJobs, claimStatement, enqueueJob, jobCounts, kindParam, kindsOf } from './jobs.js';

const T0 = new Date('2031-03-01T10:00:00Z');
const BACKLOG = 20_000;

interface PlanNode {
  'Node Type': string;
  'Index Name'?: string;
  'Relation Name'?: string;
  Plans?: PlanNode[];
}
const nodes = (n: PlanNode): PlanNode[] => [n, ...(n.Plans ?? []).flatMap(nodes)];

describe.each(BACKENDS)('job queue under a backlog on $name', (backend) => {
  let db: Db;
  let done: () => Promise<void>;
  beforeAll(async () => {
    ({ db, done } = await backend.open());
    const ids = Array.from({ length: BACKLOG }, (_, i) => i + 1);
    expect(await queueAssessHosts(db, ids, T0)).toBe(BACKLOG);
    // Queued again: every key already has a queued job.
    expect(await queueAssessHosts(db, ids.slice(0, 100), T0)).toBe(0);
    await enqueueJob(db, 'feed-sync', {}, new Date(T0.getTime() + 1000), { singletonKey: 'feed-sync' });
    await db.query('ANALYZE job');
  }, 120_000);
  afterAll(async () => done());

  const plan = async (kinds: readonly string[] | undefined) => {
    const r = await db.query<{ 'QUERY PLAN': [{ Plan: PlanNode }] }>(
      `EXPLAIN (FORMAT JSON) ${claimStatement(kindsOf(kinds))}`,
      ['w', new Date(T0.getTime() + 60_000), new Date(T0.getTime() + 5000), 1, ...kindParam(kinds)],
    );
    const root = (r.rows[0] as { 'QUERY PLAN': [{ Plan: PlanNode }] })['QUERY PLAN'][0].Plan;
    return nodes(root);
  };

  it.each([
    ['any kind', undefined],
    ['one kind', ['feed-sync']],
    ['the foreground kinds', JOB_KINDS.filter((k) => k !== 'feed-sync')],
  ])('claims %s through an index, without sorting the backlog', async (_name, kinds) => {
    const n = await plan(kinds);
    expect(n.filter((x) => x['Node Type'] === 'Seq Scan' && x['Relation Name'] === 'job')).toEqual([]);
    // The only sort allowed is of the few candidates the two walks return, not of job rows.
    const sortsOfJobRows = n.filter(
      (x) => x['Node Type'] === 'Sort' && nodes(x).some((y) => y['Relation Name'] === 'job'),
    );
    expect(sortsOfJobRows).toEqual([]);
    expect(n.some((x) => x['Index Name']?.startsWith('job_ready'))).toBe(true);
  });

  it('claims the one feed sync behind the backlog, and assessments in queue order', async () => {
    const at = new Date(T0.getTime() + 5000);
    const [sync] = await claimJobs(db, 'w-bg', at, { kinds: ['feed-sync'] });
    expect(sync?.kind).toBe('feed-sync');
    const first = await claimJobs(db, 'w-fg', at, { limit: 3 });
    expect(first.map((j) => j.payload.hostId)).toEqual([1, 2, 3]);
    expect(await jobCounts(db)).toEqual({ queued: BACKLOG - 3, running: 4 });
  });
});
