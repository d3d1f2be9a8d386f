import { describe, expect, it } from 'vitest';
import { PatchloopError } from '../error/codes.js';
import type { DeployRing } from './model.js';
import { tallyTasks, tickTallied, timeOutReason, type RingTally } from './tick.js';

const T0 = new Date('2026-03-02T10:00:00Z');
const at = (minutes: number) => new Date(T0.getTime() + minutes * 60_000);

const ring = (name: string, over: Partial<DeployRing> = {}): DeployRing => ({
  name,
  bake: null,
  minSuccess: 0.9,
  maxConcurrency: null,
  errorBudget: 5,
  ...over,
});
const tally = (over: Partial<RingTally>): RingTally => ({
  total: 0,
  succeeded: 0,
  failed: 0,
  skipped: 0,
  inFlight: 0,
  queued: 0,
  lastFinishedAt: null,
  budgetFailed: 0,
  ...over,
});
const base = { status: 'running' as const, schedule: null, resumedAt: null, timeOut: [] };

describe('tickTallied: the orchestration rules over counts', () => {
  it('dispatches a count of queued tasks of the current ring, within maxConcurrency', () => {
    const d = tickTallied(
      {
        ...base,
        rings: [ring('pilot', { maxConcurrency: '10%' }), ring('broad')],
        tallies: new Map([
          ['pilot', tally({ total: 10_000, queued: 9_000, inFlight: 400, succeeded: 600 })],
          ['broad', tally({ total: 5, queued: 5 })],
        ]),
      },
      T0,
    );
    expect(d.dispatch).toEqual({ ring: 'pilot', count: 600 });
    expect(d.waiting).toBeNull();
    expect(d.rings.map((r) => [r.name, r.status, r.queued])).toEqual([
      ['pilot', 'running', 9_000],
      ['broad', 'pending', 5],
    ]);
  });

  it('counts time-outs as failures finished now, and halts past the error budget', () => {
    const d = tickTallied(
      {
        ...base,
        rings: [ring('all', { errorBudget: 1 })],
        tallies: new Map([['all', tally({ total: 4, inFlight: 2, queued: 2 })]]),
        timeOut: [
          { id: 'b', ring: 'all', status: 'installing', reason: 'late' },
          { id: 'a', ring: 'all', status: 'queued', reason: 'deadline' },
        ],
      },
      T0,
    );
    expect(d.timeOut).toEqual([
      { id: 'a', reason: 'deadline' },
      { id: 'b', reason: 'late' },
    ]);
    expect(d.rings[0]).toMatchObject({ failed: 2, inFlight: 1, queued: 1 });
    expect(d.status).toBe('halted');
    expect(d.waiting).toBe('halted: error budget of ring all exceeded: 2 failed > 1');
    expect(d.dispatch).toBeNull();
  });

  it('skips every queued task once the deployment ends, and the ring finishes now', () => {
    const d = tickTallied(
      {
        ...base,
        status: 'cancelled',
        rings: [ring('all')],
        tallies: new Map([['all', tally({ total: 3, queued: 2, succeeded: 1, lastFinishedAt: at(-5) })]]),
      },
      T0,
    );
    expect(d.skipQueued).toBe('deployment cancelled');
    expect(d.rings[0]).toMatchObject({ queued: 0, status: 'passed', successRate: 1, finishedAt: T0 });
  });

  it('completes when every ring passed; bakes first when a ring has a bake', () => {
    const rings = [ring('pilot', { bake: '1h' }), ring('broad')];
    const tallies = new Map([
      ['pilot', tally({ total: 2, succeeded: 2, lastFinishedAt: at(-30) })],
      ['broad', tally({ total: 1, succeeded: 1, lastFinishedAt: at(-1) })],
    ]);
    expect(tickTallied({ ...base, rings, tallies }, T0).waiting).toBe(
      `ring pilot baking until ${at(30).toISOString()}`,
    );
    expect(tickTallied({ ...base, rings, tallies }, at(31)).status).toBe('completed');
  });

  it('agrees with tallyTasks on failures before a resume (they leave the budget)', () => {
    const task = (id: string, finishedAt: Date) => ({
      id,
      hostId: 1,
      ring: 'all',
      status: 'failed' as const,
      dispatchedAt: at(-60),
      finishedAt,
      deadline: at(600),
      timeoutSeconds: 60,
    });
    const t = tallyTasks([task('a', at(-20)), task('b', at(-5))], at(-10)).get('all');
    expect(t).toMatchObject({ total: 2, failed: 2, budgetFailed: 1, lastFinishedAt: at(-5) });
  });

  it('names the time-out rule once: queued past the deadline, in flight past timeout + grace', () => {
    const t = { deadline: at(10), dispatchedAt: null, timeoutSeconds: 60 };
    expect(timeOutReason({ ...t, status: 'queued' }, at(10))).toBe('deadline passed before it could start');
    expect(timeOutReason({ ...t, status: 'queued' }, at(9))).toBeNull();
    const sent = { ...t, status: 'installing' as const, dispatchedAt: T0 };
    expect(timeOutReason(sent, at(2))).toBeNull();
    expect(timeOutReason(sent, at(3))).toMatch(/within 60 s \+ 120 s grace/);
  });

  it('refuses tallies of a ring the deployment does not have', () => {
    expect(() =>
      tickTallied({ ...base, rings: [ring('all')], tallies: new Map([['other', tally({ total: 1 })]]) }, T0),
    ).toThrow(PatchloopError);
  });
});
