import { describe, expect, it } from 'vitest';
import { PatchloopError } from '../error/codes.js';
import type { Schedule } from '../policy/model.js';
import { FINAL_TASK_STATES, IN_FLIGHT_TASK_STATES, TASK_STATUSES, isFinal, isInFlight } from './model.js';
import type { DeployRing, DeployTask, DeploymentState, TaskStatus } from './model.js';
import { ringConcurrency, tick } from './tick.js';

const T0 = new Date('2026-03-02T10:00:00Z');
const at = (minutes: number) => new Date(T0.getTime() + minutes * 60_000);
const secs = (s: number) => new Date(T0.getTime() + s * 1000);

const ring = (name: string, over: Partial<DeployRing> = {}): DeployRing => ({
  name,
  bake: null,
  minSuccess: 1,
  maxConcurrency: null,
  errorBudget: 0,
  ...over,
});

const task = (
  id: string,
  ringName: string,
  status: TaskStatus = 'queued',
  over: Partial<DeployTask> = {},
) => {
  const inFlight = IN_FLIGHT_TASK_STATES.includes(status);
  const final = FINAL_TASK_STATES.includes(status);
  return {
    id,
    hostId: Number(id.replace(/\D/g, '')) || 1,
    ring: ringName,
    status,
    dispatchedAt: inFlight || (final && status !== 'skipped') ? T0 : null,
    finishedAt: final ? at(10) : null,
    deadline: at(7 * 24 * 60),
    timeoutSeconds: 600,
    ...over,
  } satisfies DeployTask;
};

const deployment = (
  rings: DeployRing[],
  tasks: DeployTask[],
  over: Partial<DeploymentState> = {},
): DeploymentState => ({ status: 'running', rings, tasks, schedule: null, ...over });

describe('task states', () => {
  it('final and in-flight states partition every state but queued', () => {
    for (const s of TASK_STATUSES) {
      const kinds = [s === 'queued', isFinal(s), isInFlight(s)].filter(Boolean);
      expect(kinds, s).toHaveLength(1);
    }
    expect([...FINAL_TASK_STATES].sort()).toEqual([
      'failed',
      'rolled-back',
      'skipped',
      'succeeded',
      'timed-out',
    ]);
    expect(IN_FLIGHT_TASK_STATES).toEqual(['dispatched', 'pre-check', 'installing', 'verifying']);
  });
});

describe('tick: deployment status', () => {
  it('a deployment whose rings all passed but where no task succeeded has failed; some failures are counted', () => {
    // A manual deployment's one ring accepts failures (minSuccess 0, no error budget): the hosts that fail
    // do not stop the others, but a deployment that changed nothing anywhere did not do its job.
    const lenient = ring('all', { minSuccess: 0, errorBudget: 1_000_000 });
    const none = tick(
      deployment([lenient], [task('t1', 'all', 'failed'), task('t2', 'all', 'timed-out')]),
      T0,
    );
    expect(none).toMatchObject({ status: 'failed', waiting: 'failed: every task failed (2)' });
    expect(tick(deployment([lenient], [task('t1', 'all', 'failed')], { status: 'failed' }), T0).waiting).toBe(
      'failed: every task failed (1)',
    );
    const some = tick(
      deployment([lenient], [task('t1', 'all', 'failed'), task('t2', 'all', 'succeeded')]),
      T0,
    );
    expect(some).toMatchObject({
      status: 'completed',
      waiting: 'completed: every ring passed or was skipped; 1 of 2 tasks failed',
    });
    const skipped = tick(deployment([lenient], [task('t1', 'all', 'skipped')]), T0);
    expect(skipped).toMatchObject({
      status: 'completed',
      waiting: 'completed: every ring passed or was skipped',
    });
  });

  it('planned → running on the first tick that may dispatch, dispatching by id', () => {
    const d = tick(
      deployment([ring('all')], [task('t3', 'all'), task('t1', 'all'), task('t2', 'all')], {
        status: 'planned',
      }),
      T0,
    );
    expect(d).toMatchObject({
      status: 'running',
      dispatch: ['t1', 't2', 't3'],
      timeOut: [],
      skip: [],
      waiting: null,
    });
    expect(d.rings).toEqual([
      {
        name: 'all',
        status: 'running',
        total: 3,
        succeeded: 0,
        failed: 0,
        inFlight: 0,
        queued: 3,
        successRate: null,
        finishedAt: null,
        bakeUntil: null,
      },
    ]);
  });

  it.each(['halted', 'completed', 'failed', 'cancelled', 'rolled-back'] as const)(
    '%s dispatches nothing',
    (s) => {
      const d = tick(deployment([ring('all')], [task('t1', 'all')], { status: s }), T0);
      expect(d.status).toBe(s);
      expect(d.dispatch).toEqual([]);
    },
  );

  it('halted leaves queued tasks queued (resumable); cancelled and failed skip them', () => {
    const state = deployment([ring('all')], [task('t1', 'all', 'installing'), task('t2', 'all')]);
    expect(tick({ ...state, status: 'halted' }, T0)).toMatchObject({ skip: [], waiting: 'halted' });
    expect(tick({ ...state, status: 'cancelled' }, T0)).toMatchObject({
      status: 'cancelled',
      skip: [{ id: 't2', reason: 'deployment cancelled' }],
      waiting: 'deployment cancelled',
    });
    expect(tick({ ...state, status: 'failed' }, T0).skip).toEqual([
      { id: 't2', reason: 'deployment failed' },
    ]);
    expect(tick({ ...state, status: 'rolled-back' }, T0).skip).toEqual([
      { id: 't2', reason: 'deployment rolled-back' },
    ]);
  });

  it('a halted deployment resumed (status running) dispatches again', () => {
    const state = deployment([ring('all')], [task('t1', 'all'), task('t2', 'all')], { status: 'halted' });
    expect(tick(state, T0).dispatch).toEqual([]);
    expect(tick({ ...state, status: 'running' }, T0).dispatch).toEqual(['t1', 't2']);
  });

  it('completes when every ring is passed or skipped', () => {
    const d = tick(
      deployment(
        [ring('pilot'), ring('empty'), ring('broad')],
        [task('t1', 'pilot', 'succeeded'), task('t2', 'broad', 'succeeded'), task('t3', 'broad', 'skipped')],
      ),
      at(60),
    );
    expect(d.status).toBe('completed');
    expect(d.rings.map((r) => [r.name, r.status, r.successRate])).toEqual([
      ['pilot', 'passed', 1],
      ['empty', 'skipped', null],
      ['broad', 'passed', 1],
    ]);
  });

  it('a deployment without tasks completes at once, even planned', () => {
    expect(tick(deployment([ring('all')], [], { status: 'planned' }), T0)).toMatchObject({
      status: 'completed',
      rings: [{ name: 'all', status: 'skipped', total: 0 }],
    });
  });
});

describe('tick: time-outs', () => {
  it('a queued task whose deadline is now (or past) is timed out, not dispatched', () => {
    const state = deployment(
      [ring('all', { errorBudget: 1, minSuccess: 0 })],
      [task('t1', 'all', 'queued', { deadline: T0 }), task('t2', 'all')],
    );
    const d = tick(state, T0);
    expect(d.timeOut).toEqual([{ id: 't1', reason: 'deadline passed before it could start' }]);
    expect(d.dispatch).toEqual(['t2']);
    // One millisecond before its deadline it still runs.
    expect(tick(state, new Date(T0.getTime() - 1)).dispatch).toEqual(['t1', 't2']);
  });

  it('an in-flight task is timed out at dispatchedAt + timeoutSeconds + 120 s grace, not a millisecond before', () => {
    for (const status of IN_FLIGHT_TASK_STATES) {
      const state = deployment([ring('all', { errorBudget: 5, minSuccess: 0 })], [task('t1', 'all', status)]);
      expect(tick(state, new Date(secs(720).getTime() - 1)).timeOut).toEqual([]);
      expect(tick(state, secs(720)).timeOut).toEqual([
        { id: 't1', reason: 'no report from the agent within 600 s + 120 s grace of its dispatch' },
      ]);
    }
  });

  it('a hung job frees its concurrency slot: the next task is dispatched in the same tick', () => {
    const state = deployment(
      [ring('all', { maxConcurrency: 1, errorBudget: 1, minSuccess: 0 })],
      [task('t1', 'all', 'installing'), task('t2', 'all')],
    );
    expect(tick(state, secs(719))).toMatchObject({
      dispatch: [],
      waiting: 'ring all: 1 in flight, maxConcurrency 1',
    });
    expect(tick(state, secs(720))).toMatchObject({
      timeOut: [{ id: 't1' }],
      dispatch: ['t2'],
      waiting: null,
    });
  });

  it('time-outs apply whatever the deployment status, also while the window is closed', () => {
    const closed: Schedule = { window: null, blackout: ['2026-03-02'] };
    const state = deployment([ring('all')], [task('t1', 'all', 'queued', { deadline: T0 })], {
      schedule: closed,
    });
    expect(tick({ ...state, status: 'halted' }, T0).timeOut).toHaveLength(1);
    expect(tick({ ...state, status: 'cancelled' }, T0)).toMatchObject({ timeOut: [{ id: 't1' }], skip: [] });
    const d = tick(state, T0);
    expect(d.timeOut).toEqual([{ id: 't1', reason: 'deadline passed before it could start' }]);
    expect(d.status).toBe('failed'); // the ring's only task timed out: 0 < minSuccess 1
  });
});

describe('tick: rings', () => {
  const rings = [ring('pilot', { bake: '24h' }), ring('broad')];
  const pilotDone = (finished: Date) => [
    task('p1', 'pilot', 'succeeded', { finishedAt: at(5) }),
    task('p2', 'pilot', 'succeeded', { finishedAt: finished }),
    task('b1', 'broad'),
    task('b2', 'broad'),
  ];

  it('later rings wait while the current ring runs', () => {
    const d = tick(
      deployment(rings, [task('p1', 'pilot', 'installing'), task('p2', 'pilot'), task('b1', 'broad')]),
      T0,
    );
    expect(d.dispatch).toEqual(['p2']);
    expect(d.rings.map((r) => r.status)).toEqual(['running', 'pending']);
  });

  it('waits for tasks in flight when nothing is queued', () => {
    const d = tick(deployment(rings, [task('p1', 'pilot', 'verifying'), task('b1', 'broad')]), T0);
    expect(d).toMatchObject({ dispatch: [], waiting: 'ring pilot: waiting for 1 task in flight' });
  });

  it('a finished ring bakes from its last finishedAt until bake end (exclusive), then the next ring starts', () => {
    const state = deployment(rings, pilotDone(at(30)));
    const bakeEnd = at(30 + 24 * 60);
    const before = tick(state, new Date(bakeEnd.getTime() - 1));
    expect(before).toMatchObject({
      status: 'running',
      dispatch: [],
      waiting: `ring pilot baking until ${bakeEnd.toISOString()}`,
    });
    expect(before.rings[0]).toMatchObject({
      status: 'baking',
      successRate: 1,
      finishedAt: at(30),
      bakeUntil: bakeEnd,
    });
    expect(before.rings[1]?.status).toBe('pending');
    const after = tick(state, bakeEnd);
    expect(after).toMatchObject({ status: 'running', dispatch: ['b1', 'b2'], waiting: null });
    expect(after.rings.map((r) => r.status)).toEqual(['passed', 'running']);
  });

  it('without a bake the next ring starts in the tick the ring finishes', () => {
    const d = tick(deployment([ring('pilot'), ring('broad')], pilotDone(at(30))), at(30));
    expect(d.dispatch).toEqual(['b1', 'b2']);
    expect(d.rings[0]).toMatchObject({ status: 'passed', bakeUntil: null });
  });

  it('success rate below minSuccess fails the ring and the deployment, skipping later rings', () => {
    const state = deployment(
      [ring('pilot', { minSuccess: 1, errorBudget: 1 }), ring('broad')],
      [
        task('p1', 'pilot', 'succeeded'),
        task('p2', 'pilot', 'failed'),
        task('b1', 'broad'),
        task('b2', 'broad'),
      ],
    );
    const d = tick(state, at(60));
    expect(d).toMatchObject({
      status: 'failed',
      dispatch: [],
      waiting: 'failed: ring pilot: 0.5 < minSuccess 1 (1 of 2 succeeded)',
      skip: [
        { id: 'b1', reason: 'deployment failed' },
        { id: 'b2', reason: 'deployment failed' },
      ],
    });
    expect(d.rings.map((r) => [r.status, r.successRate, r.failed])).toEqual([
      ['failed', 0.5, 1],
      ['skipped', null, 0],
    ]);
    // Once failed, later ticks keep saying why.
    expect(tick({ ...state, status: 'failed' }, at(61)).waiting).toBe(
      'failed: ring pilot: 0.5 < minSuccess 1 (1 of 2 succeeded)',
    );
  });

  it('success rate equal to minSuccess passes; skipped tasks do not count', () => {
    const d = tick(
      deployment(
        [ring('pilot', { minSuccess: 0.75, errorBudget: 1 }), ring('broad')],
        [
          task('p1', 'pilot', 'succeeded'),
          task('p2', 'pilot', 'succeeded'),
          task('p3', 'pilot', 'succeeded'),
          task('p4', 'pilot', 'timed-out'),
          task('p5', 'pilot', 'skipped'),
          task('b1', 'broad'),
        ],
      ),
      at(60),
    );
    expect(d.rings[0]).toMatchObject({
      status: 'passed',
      successRate: 0.75,
      succeeded: 3,
      failed: 1,
      total: 5,
    });
    expect(d.dispatch).toEqual(['b1']);
  });

  it('skips rings without tasks (and rings whose tasks are all skipped)', () => {
    const d = tick(
      deployment(
        [ring('canary'), ring('pilot'), ring('broad')],
        [task('p1', 'pilot', 'skipped'), task('b1', 'broad')],
        { status: 'planned' },
      ),
      T0,
    );
    expect(d).toMatchObject({ status: 'running', dispatch: ['b1'] });
    expect(d.rings.map((r) => r.status)).toEqual(['skipped', 'skipped', 'running']);
  });

  it('runs pilot → broad over successive ticks', () => {
    const rs = [ring('pilot', { bake: '1h', maxConcurrency: 1 }), ring('broad', { maxConcurrency: '50%' })];
    let tasks = [task('p1', 'pilot'), task('b1', 'broad'), task('b2', 'broad'), task('b3', 'broad')];
    const set = (id: string, status: TaskStatus, when: Date) =>
      (tasks = tasks.map((t) =>
        t.id !== id
          ? t
          : {
              ...t,
              status,
              dispatchedAt: status === 'dispatched' ? when : t.dispatchedAt,
              finishedAt: isFinal(status) ? when : null,
            },
      ));
    let d = tick(deployment(rs, tasks, { status: 'planned' }), at(0));
    expect(d).toMatchObject({ status: 'running', dispatch: ['p1'] });
    set('p1', 'dispatched', at(0));
    set('p1', 'succeeded', at(5));
    d = tick(deployment(rs, tasks), at(6));
    expect(d).toMatchObject({ dispatch: [], waiting: `ring pilot baking until ${at(65).toISOString()}` });
    d = tick(deployment(rs, tasks), at(65));
    expect(d).toMatchObject({ dispatch: ['b1', 'b2'] }); // 50% of 3, rounded up
    set('b1', 'dispatched', at(65));
    set('b2', 'dispatched', at(65));
    set('b1', 'succeeded', at(70));
    d = tick(deployment(rs, tasks), at(70));
    expect(d.dispatch).toEqual(['b3']);
    set('b3', 'dispatched', at(70));
    set('b2', 'succeeded', at(72));
    set('b3', 'succeeded', at(75));
    d = tick(deployment(rs, tasks), at(75));
    expect(d).toMatchObject({ status: 'completed', dispatch: [] });
    expect(d.rings.map((r) => [r.status, r.succeeded, r.finishedAt])).toEqual([
      ['passed', 1, at(5)],
      ['passed', 3, at(75)],
    ]);
  });
});

describe('tick: error budget', () => {
  it('halts when failed + timed-out exceed the budget; in-flight tasks keep counting and may finish', () => {
    const state = deployment(
      [ring('broad', { errorBudget: 2, minSuccess: 0 })],
      [
        task('t1', 'broad', 'failed'),
        task('t2', 'broad', 'timed-out'),
        task('t3', 'broad', 'installing'),
        task('t4', 'broad', 'dispatched'),
        task('t5', 'broad'),
      ],
    );
    expect(tick(state, at(11)).dispatch).toEqual(['t5']); // 2 failures: within the budget
    const halted = tick(
      { ...state, tasks: state.tasks.map((t) => (t.id === 't3' ? { ...t, status: 'failed' as const } : t)) },
      at(11),
    );
    expect(halted).toMatchObject({
      status: 'halted',
      dispatch: [],
      skip: [],
      waiting: 'halted: error budget of ring broad exceeded: 3 failed > 2',
    });
    expect(halted.rings[0]).toMatchObject({ status: 'running', failed: 3, inFlight: 1, queued: 1 });
  });

  it('a time-out in this tick counts against the budget', () => {
    const state = deployment(
      [ring('broad', { errorBudget: 0, minSuccess: 0 })],
      [task('t1', 'broad', 'installing'), task('t2', 'broad', 'installing'), task('t3', 'broad')],
    );
    expect(tick(state, secs(720))).toMatchObject({ status: 'halted', timeOut: [{ id: 't1' }, { id: 't2' }] });
  });

  it('with errorBudget 0 one failure halts', () => {
    const d = tick(
      deployment(
        [ring('all', { errorBudget: 0, minSuccess: 0 })],
        [task('t1', 'all', 'failed'), task('t2', 'all')],
      ),
      at(11),
    );
    expect(d).toMatchObject({
      status: 'halted',
      waiting: 'halted: error budget of ring all exceeded: 1 failed > 0',
    });
  });

  it('rolled-back tasks count as failures', () => {
    const d = tick(
      deployment(
        [ring('all', { errorBudget: 0, minSuccess: 0 })],
        [task('t1', 'all', 'rolled-back'), task('t2', 'all')],
      ),
      at(11),
    );
    expect(d.status).toBe('halted');
  });

  it('a halted deployment keeps its reason; resumed with resumedAt, earlier failures no longer count', () => {
    const state = deployment(
      [ring('all', { errorBudget: 0, minSuccess: 0 })],
      [task('t1', 'all', 'failed', { finishedAt: at(10) }), task('t2', 'all')],
      { status: 'halted' },
    );
    expect(tick(state, at(20)).waiting).toBe('halted: error budget of ring all exceeded: 1 failed > 0');
    expect(tick({ ...state, status: 'running' }, at(20)).status).toBe('halted');
    expect(tick({ ...state, status: 'running', resumedAt: at(10) }, at(20))).toMatchObject({
      status: 'running',
      dispatch: ['t2'],
    });
  });

  it('the budget is per ring: failures of a passed ring do not halt the next', () => {
    const d = tick(
      deployment(
        [ring('pilot', { errorBudget: 1, minSuccess: 0.5 }), ring('broad', { errorBudget: 0 })],
        [task('p1', 'pilot', 'failed'), task('p2', 'pilot', 'succeeded'), task('b1', 'broad')],
      ),
      at(11),
    );
    expect(d).toMatchObject({ status: 'running', dispatch: ['b1'] });
  });
});

describe('tick: maxConcurrency', () => {
  it('ringConcurrency: counts, percentages rounded up (at least 1), null = no limit', () => {
    expect(ringConcurrency(5, 100)).toBe(5);
    expect(ringConcurrency('20%', 6)).toBe(2);
    expect(ringConcurrency('20%', 5)).toBe(1);
    expect(ringConcurrency('20%', 1)).toBe(1);
    expect(ringConcurrency('100%', 7)).toBe(7);
    expect(ringConcurrency(null, 3)).toBe(Infinity);
  });

  it('"20%" of a 6-task ring dispatches 2 at a time, counting tasks already in flight', () => {
    const tasks = ['t1', 't2', 't3', 't4', 't5', 't6'].map((id) => task(id, 'all'));
    const state = deployment([ring('all', { maxConcurrency: '20%' })], tasks);
    expect(tick(state, T0).dispatch).toEqual(['t1', 't2']);
    const one = { ...state, tasks: tasks.map((t) => (t.id === 't1' ? task('t1', 'all', 'pre-check') : t)) };
    expect(tick(one, T0).dispatch).toEqual(['t2']);
    const two = {
      ...state,
      tasks: tasks.map((t) => (t.id === 't1' || t.id === 't2' ? task(t.id, 'all', 'installing') : t)),
    };
    expect(tick(two, T0)).toMatchObject({ dispatch: [], waiting: 'ring all: 2 in flight, maxConcurrency 2' });
  });

  it('a count limit; finished tasks free their slots', () => {
    const state = deployment(
      [ring('all', { maxConcurrency: 2 })],
      [task('a', 'all', 'succeeded'), task('b', 'all', 'verifying'), task('c', 'all'), task('d', 'all')],
    );
    expect(tick(state, at(11)).dispatch).toEqual(['c']);
  });
});

describe('tick: maintenance window', () => {
  // Saturdays 02:00 UTC for 4 hours; 2026-03-07 is a Saturday.
  const saturday: Schedule = { window: { cron: '0 2 * * 6', duration: '4h', timezone: 'UTC' }, blackout: [] };
  const state = deployment(
    [ring('all')],
    [task('t1', 'all', 'queued', { deadline: new Date('2026-03-20T00:00:00Z') })],
    {
      status: 'planned',
      schedule: saturday,
    },
  );

  it('closed: nothing dispatched, planned stays planned, waiting names the next opening', () => {
    expect(tick(state, T0)).toMatchObject({
      status: 'planned',
      dispatch: [],
      timeOut: [],
      waiting: 'window closed until 2026-03-07T02:00:00.000Z',
    });
  });

  it('open at its start (inclusive), closed at its end', () => {
    expect(tick(state, new Date('2026-03-07T02:00:00Z'))).toMatchObject({
      status: 'running',
      dispatch: ['t1'],
    });
    expect(tick({ ...state, status: 'running' }, new Date('2026-03-07T06:00:00Z'))).toMatchObject({
      status: 'running',
      dispatch: [],
      waiting: 'window closed until 2026-03-14T02:00:00.000Z',
    });
  });

  it('a blackout day closes the window', () => {
    const blackedOut = { ...state, schedule: { ...saturday, blackout: ['2026-03-07'] } };
    expect(tick(blackedOut, new Date('2026-03-07T03:00:00Z'))).toMatchObject({
      dispatch: [],
      waiting: 'window closed until 2026-03-14T02:00:00.000Z',
    });
  });

  it('a task waits for its window; past its deadline it is timed out and never runs afterwards', () => {
    const tight = {
      ...state,
      tasks: [task('t1', 'all', 'queued', { deadline: new Date('2026-03-05T00:00:00Z') })],
    };
    expect(tick(tight, new Date('2026-03-04T00:00:00Z')).dispatch).toEqual([]);
    const d = tick(tight, new Date('2026-03-07T02:00:00Z'));
    expect(d).toMatchObject({
      dispatch: [],
      timeOut: [{ id: 't1', reason: 'deadline passed before it could start' }],
    });
  });
});

describe('tick: invalid state', () => {
  it('throws PL_DEPLOYMENT_INVALID with every problem', () => {
    const bad = deployment(
      [ring('a', { bake: '1 day', minSuccess: 2, maxConcurrency: '0%', errorBudget: -1 }), ring('a')],
      [task('t1', 'b'), task('t1', 'a'), task('t2', 'a', 'installing', { dispatchedAt: null })],
    );
    let error: unknown;
    try {
      tick(bad, T0);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(PatchloopError);
    expect((error as PatchloopError).code).toBe('PL_DEPLOYMENT_INVALID');
    expect((error as PatchloopError).details.problems).toEqual([
      'rings[0].bake "1 day" is not a duration',
      'rings[0].minSuccess 2 is not between 0 and 1',
      'rings[0].maxConcurrency "0%" is not a count or "N%"',
      'rings[0].errorBudget -1 is not a whole number ≥ 0',
      'rings[1].name "a" is used twice',
      'task "t1" names ring "b", not in the deployment',
      'task "t1" is listed twice',
      'task "t2" is installing without a dispatchedAt',
    ]);
  });
});

describe('tick is deterministic', () => {
  it('the same state and instant give the same decision; the input is not changed', () => {
    const state = deployment([ring('all', { maxConcurrency: 1 })], [task('b', 'all'), task('a', 'all')]);
    const copy = structuredClone(state);
    expect(tick(state, T0)).toEqual(tick(state, T0));
    expect(state).toEqual(copy);
    expect(tick(state, T0).dispatch).toEqual(['a']);
  });
});

describe('error budget at the end of a ring', () => {
  it('halts when the last task of a ring exceeds the budget, even when minSuccess is met', () => {
    const t0 = new Date('2026-11-23T10:00:00Z');
    const done = (id: string, ring: string, status: 'failed' | 'succeeded') => ({
      id,
      hostId: Number(id.slice(1)),
      ring,
      status,
      dispatchedAt: t0,
      finishedAt: t0,
      deadline: new Date(t0.getTime() + 3_600_000),
      timeoutSeconds: 600,
    });
    const state = {
      status: 'running' as const,
      schedule: null,
      rings: [
        { name: 'wave1', bake: null, minSuccess: 0, maxConcurrency: 1, errorBudget: 1 },
        { name: 'broad', bake: null, minSuccess: 1, maxConcurrency: null, errorBudget: 0 },
      ],
      tasks: [
        done('t1', 'wave1', 'failed'),
        done('t2', 'wave1', 'failed'),
        { ...done('t3', 'broad', 'failed'), status: 'queued' as const, dispatchedAt: null, finishedAt: null },
      ],
    };
    const d = tick(state, t0);
    expect(d.status).toBe('halted');
    expect(d.waiting).toMatch(/error budget of ring wave1/);
    expect(d.dispatch).toEqual([]);
    // After a resume the old failures no longer count: the next ring starts.
    const resumed = tick({ ...state, resumedAt: t0 }, new Date(t0.getTime() + 1000));
    expect(resumed.dispatch).toEqual(['t3']);
  });
});
