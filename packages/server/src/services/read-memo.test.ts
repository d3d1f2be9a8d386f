import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { ReadMemo } from './read-memo.js';

const T0 = new Date('2026-12-07T12:00:00Z');
const at = (ms: number) => new Date(T0.getTime() + ms);

/** A computation taking `ms` of wall time, counting its calls. */
function slow(ms: number, value = 'v') {
  const c = {
    calls: 0,
    fn: async () => {
      c.calls++;
      await sleep(ms);
      return `${value}${c.calls}`;
    },
  };
  return c;
}

describe('ReadMemo', () => {
  const memo = () => new ReadMemo({ minComputeMs: 20, maxAgeMs: 60_000, maxEntries: 3 });

  it('keeps a slow answer while the revision is the same and it is young enough', async () => {
    const m = memo();
    const c = slow(30);
    expect(await m.read('k', 'r1', T0, c.fn)).toBe('v1');
    expect(await m.read('k', 'r1', at(59_999), c.fn)).toBe('v1');
    expect(c.calls).toBe(1);
    expect(m.hits).toBe(1);
    // A minute after the instant it was computed for, or a clock that went back: computed again.
    expect(await m.read('k', 'r1', at(60_000), c.fn)).toBe('v2');
    expect(await m.read('k', 'r1', at(59_000), c.fn)).toBe('v3');
  });

  it('computes again when the revision changes', async () => {
    const m = memo();
    const c = slow(30);
    await m.read('k', 'r1', T0, c.fn);
    expect(await m.read('k', 'r2', T0, c.fn)).toBe('v2');
    expect(await m.read('k', 'r2', T0, c.fn)).toBe('v2');
    expect(c.calls).toBe(2);
  });

  it('never keeps a fast answer: a small fleet sees figures computed for the request', async () => {
    const m = memo();
    const c = slow(0);
    await m.read('k', 'r1', T0, c.fn);
    expect(await m.read('k', 'r1', T0, c.fn)).toBe('v2');
    expect(m.size).toBe(0);
  });

  it('shares one computation between concurrent reads', async () => {
    const m = new ReadMemo({ minComputeMs: Number.POSITIVE_INFINITY, maxAgeMs: 60_000, maxEntries: 3 });
    const c = slow(30);
    const both = await Promise.all([m.read('k', 'r1', T0, c.fn), m.read('k', 'r1', T0, c.fn)]);
    expect(both).toEqual(['v1', 'v1']);
    expect(c.calls).toBe(1);
    expect(m.size).toBe(0); // fast enough never to be kept afterwards
  });

  it('keeps no failure', async () => {
    const m = new ReadMemo({ minComputeMs: 0, maxAgeMs: 60_000, maxEntries: 3 });
    await expect(
      m.read('k', 'r1', T0, async () => {
        throw new Error('database gone');
      }),
    ).rejects.toThrow('database gone');
    expect(m.size).toBe(0);
    expect(await m.read('k', 'r1', T0, async () => 'back')).toBe('back');
  });

  it('keeps at most maxEntries answers, the least recently used going first', async () => {
    const m = new ReadMemo({ minComputeMs: 0, maxAgeMs: 60_000, maxEntries: 3 });
    for (const k of ['a', 'b', 'c']) await m.read(k, 'r', T0, async () => k);
    await m.read('a', 'r', T0, async () => 'a again'); // a is used: b is now the oldest
    await m.read('d', 'r', T0, async () => 'd');
    expect(m.size).toBe(3);
    expect(await m.read('a', 'r', T0, async () => 'recomputed')).toBe('a');
    expect(await m.read('b', 'r', T0, async () => 'recomputed')).toBe('recomputed');
  });
});
