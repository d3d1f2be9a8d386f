/**
 * A job a killed process left 'running' (its lease still ahead) on the
 * embedded store, which only one process can hold: the next server's worker
 * runs it at once instead of after the lease — an assess-host job's
 * singleton key would otherwise keep the host unassessed for minutes. On
 * PostgreSQL another replica may be alive: the lease decides.
 */
import { describe, expect, it } from 'vitest';
import { claimJobs, enqueueJob } from '@patchloop/store';
import { BACKEND_NAMES, startHarness } from './harness.js';

describe.each(BACKEND_NAMES)('jobs left running by a process that died (%s)', (backend) => {
  it(backend === 'pglite' ? 'are run again at once' : 'wait for their lease', async () => {
    const h = await startHarness(backend);
    try {
      const now = h.ctx.now();
      const id = await enqueueJob(h.db, 'assess-all', {}, now, { singletonKey: 'assess-all' });
      const [claimed] = await claimJobs(h.db, 'worker-of-a-dead-process', now);
      expect(claimed?.id).toBe(id);
      await h.worker.drain();
      const r = await h.db.query<{ status: string }>('SELECT status FROM job WHERE id = $1', [id]);
      expect(r.rows[0]?.status).toBe(backend === 'pglite' ? 'done' : 'running');
    } finally {
      await h.close();
    }
  });
});
