import { writeFileSync } from 'node:fs';
import type { AgentJob } from '@patchloop/contracts';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../collectors/testdata/fake-root.js';
import { Journal } from './journal.js';

const job: AgentJob = {
  id: 'task-00000001',
  deploymentId: 1,
  kind: 'install',
  packages: [{ name: 'bash', version: '5.2-2' }],
  preScript: null,
  postScript: null,
  reboot: 'never',
  deadline: '2026-03-01T12:00:00Z',
  timeoutSeconds: 600,
};

describe('Journal', () => {
  it('records phases, keeps the final report until acknowledged, survives a new instance', () => {
    const dir = tempDir('journal');
    const j = new Journal(dir);
    const t = new Date('2026-03-01T10:00:00Z');
    j.put({ id: job.id, phase: 'started', job, startedAt: t.toISOString(), updatedAt: t.toISOString() });
    j.advance(job.id, 'pre-check', t, { before: [{ name: 'bash', version: '5.2-1' }] });
    j.advance(job.id, 'installing', t);
    expect(new Journal(dir).get(job.id)).toMatchObject({
      phase: 'installing',
      before: [{ version: '5.2-1' }],
    });
    j.finish(job.id, { machineId: 'm'.repeat(16), state: 'succeeded', log: '' }, t);
    expect(j.get(job.id)).toMatchObject({
      phase: 'finished',
      acknowledged: false,
      final: { state: 'succeeded' },
    });
    j.acknowledge(job.id, t);
    expect(new Journal(dir).list().map((e) => [e.id, e.acknowledged])).toEqual([[job.id, true]]);
    expect(j.prune(new Date('2026-03-20T00:00:00Z'))).toBe(0);
    expect(j.prune(new Date('2026-04-02T00:00:00Z'))).toBe(1);
    expect(j.get(job.id)).toBeNull();
  });

  it('refuses ids that are not job ids and tells a damaged entry from a missing one', () => {
    const j = new Journal(tempDir('journal'));
    expect(() => j.get('../../etc/passwd')).toThrow(/invalid job id/);
    expect(j.damaged(job.id)).toBe(false);
    writeFileSync(`${j.dir}/${job.id}.json`, '{');
    expect(j.damaged(job.id)).toBe(true);
    expect(j.list()).toEqual([]);
  });
});
