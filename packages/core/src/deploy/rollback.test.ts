import { describe, expect, it } from 'vitest';
import { NOT_INSTALLED_BEFORE, rollbackPlan } from './rollback.js';
import type { RollbackTask } from './rollback.js';

const change = (pkg: string, before: string | null, after: string | null) => ({
  package: pkg,
  before,
  after,
});

describe('rollbackPlan', () => {
  it('reinstalls each changed package at its before-version, per host, sorted', () => {
    const tasks: RollbackTask[] = [
      {
        id: 't2',
        hostId: 2,
        status: 'succeeded',
        packages: [change('openssl', '3.0.11-1', '3.0.13-1'), change('libssl3', '3.0.11-1', '3.0.13-1')],
      },
      { id: 't1', hostId: 1, status: 'failed', packages: [change('curl', '7.88.1-10', '7.88.1-10+deb12u5')] },
    ];
    expect(rollbackPlan(tasks)).toEqual({
      hosts: [
        {
          hostId: 1,
          taskIds: ['t1'],
          reinstall: [{ package: 'curl', version: '7.88.1-10', from: '7.88.1-10+deb12u5' }],
          leftInPlace: [],
        },
        {
          hostId: 2,
          taskIds: ['t2'],
          reinstall: [
            { package: 'libssl3', version: '3.0.11-1', from: '3.0.13-1' },
            { package: 'openssl', version: '3.0.11-1', from: '3.0.13-1' },
          ],
          leftInPlace: [],
        },
      ],
      skipped: [],
    });
  });

  it('leaves packages that were not installed before in place, and says why', () => {
    const plan = rollbackPlan([
      {
        id: 't1',
        hostId: 1,
        status: 'succeeded',
        packages: [
          change('linux-image-6.1.0-18', null, '6.1.76-1'),
          change('bash', '5.2.15-2', '5.2.15-2+b1'),
        ],
      },
    ]);
    expect(plan.hosts[0]).toEqual({
      hostId: 1,
      taskIds: ['t1'],
      reinstall: [{ package: 'bash', version: '5.2.15-2', from: '5.2.15-2+b1' }],
      leftInPlace: [{ package: 'linux-image-6.1.0-18', version: '6.1.76-1', reason: NOT_INSTALLED_BEFORE }],
    });
    expect(NOT_INSTALLED_BEFORE).toBe('cannot remove a package that was not installed before; left in place');
  });

  it('skips tasks that never installed anything, were rolled back already, or changed nothing', () => {
    const plan = rollbackPlan([
      { id: 'q', hostId: 1, status: 'queued', packages: [change('a', '1', null)] },
      { id: 'd', hostId: 2, status: 'dispatched', packages: [change('a', '1', null)] },
      { id: 'p', hostId: 3, status: 'pre-check', packages: [change('a', '1', null)] },
      { id: 's', hostId: 4, status: 'skipped', packages: [] },
      { id: 'r', hostId: 5, status: 'rolled-back', packages: [change('a', '1', '1')] },
      { id: 'n', hostId: 6, status: 'succeeded', packages: [change('a', '1', '1'), change('b', null, null)] },
    ]);
    expect(plan.hosts).toEqual([]);
    expect(plan.skipped).toEqual([
      { id: 'q', hostId: 1, reason: 'queued: never installed anything' },
      { id: 'd', hostId: 2, reason: 'dispatched: never installed anything' },
      { id: 'p', hostId: 3, reason: 'pre-check: never installed anything' },
      { id: 's', hostId: 4, reason: 'skipped: never installed anything' },
      { id: 'r', hostId: 5, reason: 'already rolled back by the agent' },
      { id: 'n', hostId: 6, reason: 'changed no package' },
    ]);
  });

  it('an unknown after-version (a timed-out install) is reinstalled at its before-version', () => {
    const plan = rollbackPlan([
      { id: 't', hostId: 1, status: 'timed-out', packages: [change('a', '1.0', null)] },
    ]);
    expect(plan.hosts[0]?.reinstall).toEqual([{ package: 'a', version: '1.0', from: null }]);
  });

  it('several tasks on one host: the first task given supplies the version to return to, the last the version found', () => {
    const plan = rollbackPlan([
      { id: 'first', hostId: 1, status: 'succeeded', packages: [change('a', '1', '2')] },
      {
        id: 'second',
        hostId: 1,
        status: 'succeeded',
        packages: [change('a', '2', '3'), change('b', '5', '6')],
      },
    ]);
    expect(plan.hosts).toEqual([
      {
        hostId: 1,
        taskIds: ['first', 'second'],
        reinstall: [
          { package: 'a', version: '1', from: '3' },
          { package: 'b', version: '5', from: '6' },
        ],
        leftInPlace: [],
      },
    ]);
  });
});
