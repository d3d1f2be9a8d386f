import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../collectors/testdata/fake-root.js';
import { acquireLock, pidAlive } from './lock.js';

/** A pid that just exited (so nobody runs it, barring an unlucky reuse). */
function deadPid(): number {
  const r = spawnSync('sh', ['-c', 'echo $$']);
  return Number(r.stdout.toString().trim());
}

describe('job lock', () => {
  it('is exclusive while held and free after release', () => {
    const file = join(tempDir('lock'), 'jobs', 'lock');
    const a = acquireLock(file, 'job-a');
    expect(a.acquired).toBe(true);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({ pid: process.pid, jobId: 'job-a' });
    const b = acquireLock(file, 'job-b');
    expect(b).toMatchObject({ acquired: false, holder: { pid: process.pid, jobId: 'job-a' } });
    if (a.acquired) a.release();
    expect(existsSync(file)).toBe(false);
    const c = acquireLock(file, 'job-c');
    expect(c.acquired).toBe(true);
    if (c.acquired) c.release();
  });

  it('takes over a lock whose pid is dead, or ours from an earlier process', () => {
    const file = join(tempDir('lock'), 'lock');
    const dead = deadPid();
    expect(pidAlive(dead)).toBe(false);
    writeFileSync(file, JSON.stringify({ pid: dead, since: '2026-01-01T00:00:00Z', jobId: 'old' }));
    const a = acquireLock(file, 'new');
    expect(a.acquired).toBe(true);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({ pid: process.pid, jobId: 'new' });
    if (a.acquired) a.release();
    // Our pid, but not held by this process: the agent restarted with the same pid.
    writeFileSync(file, JSON.stringify({ pid: process.pid, since: '2026-01-01T00:00:00Z', jobId: 'old' }));
    const b = acquireLock(file, 'again');
    expect(b.acquired).toBe(true);
    if (b.acquired) b.release();
    // Half-written (killed between create and write).
    writeFileSync(file, '');
    const c = acquireLock(file, 'x');
    expect(c.acquired).toBe(true);
    if (c.acquired) c.release();
  });

  it('pidAlive', () => {
    expect(pidAlive(process.pid)).toBe(true);
    expect(pidAlive(1)).toBe(true);
    expect(pidAlive(0)).toBe(false);
    expect(pidAlive(-5)).toBe(false);
  });
});
