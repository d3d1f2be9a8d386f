import { describe, expect, it } from 'vitest';
import { JobWaiters } from './job-waiters.js';

describe('JobWaiters', () => {
  it('times out, wakes only the named hosts, and answers aborted and closed polls at once', async () => {
    const w = new JobWaiters(async () => [], 60_000);
    expect(await w.wait(1, 10)).toBe('timeout');
    const a = w.wait(1, 10_000);
    const b = w.wait(2, 10_000);
    expect(w.size).toBe(2);
    w.wake([1]);
    expect(await a).toBe('woken');
    expect(w.size).toBe(1);
    const stop = new AbortController();
    const c = w.wait(3, 10_000, stop.signal);
    stop.abort();
    expect(await c).toBe('aborted');
    w.close();
    expect(await b).toBe('closed');
    expect(await w.wait(4, 10_000)).toBe('closed');
    expect(w.size).toBe(0);
  });

  it('finds jobs dispatched elsewhere with one check for all parked hosts', async () => {
    const asked: number[][] = [];
    const w = new JobWaiters(async (ids) => {
      asked.push([...ids]);
      return ids.filter((id) => id === 7);
    }, 20);
    const seven = w.wait(7, 10_000);
    const eight = w.wait(8, 300);
    expect(await seven).toBe('woken');
    expect(await eight).toBe('timeout');
    expect(asked[0]).toEqual([7, 8]);
    w.close();
  });

  it('keeps parked polls when the check fails (the database is away for a moment)', async () => {
    const errors: string[] = [];
    const w = new JobWaiters(
      async () => {
        throw new Error('connection lost');
      },
      10,
      (e) => errors.push(e.message),
    );
    expect(await w.wait(1, 100)).toBe('timeout');
    expect(errors.length).toBeGreaterThan(0);
    w.close();
  });
});
