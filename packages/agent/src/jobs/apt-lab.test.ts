/**
 * Jobs against a real apt: a debootstrapped bookworm root (the lab), apt-get
 * run in it with chroot by the local runner, installing from the lab's own
 * repository on 127.0.0.1. The truth is dpkg's database inside the root.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AgentJob, JobReport } from '@patchloop/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../collectors/testdata/fake-root.js';
import { localRunner } from '../runner/local.js';
import {
  buildLabPackages,
  findCommand,
  installedVersion,
  labUnavailable,
  makeHostRoot,
  removeHostRoot,
  startAptRepo,
  type AptRepo,
} from '../testing/lab/index.js';
import { Journal } from './journal.js';
import { REASON_ROOT } from './reboot.js';
import { runJob, type JobContext } from './runner.js';

const why = labUnavailable();
if (why !== null) console.log(`skipping the apt job tests: ${why}`);

let seq = 0;
function job(over: Partial<AgentJob>): AgentJob {
  return {
    id: `lab-job-${String(++seq).padStart(4, '0')}`,
    deploymentId: 9,
    kind: 'install',
    packages: [],
    preScript: null,
    postScript: null,
    reboot: 'if-required',
    deadline: new Date(Date.now() + 3600_000).toISOString(),
    timeoutSeconds: 300,
    ...over,
  };
}

describe.skipIf(why !== null)('jobs with apt in a lab root', () => {
  let repo: AptRepo;
  let root: string;
  let debDir: string;
  let ctx: JobContext;
  const sent: JobReport[] = [];
  const final = () => sent.at(-1)!;

  beforeAll(async () => {
    debDir = await mkdtemp(join(tmpdir(), 'patchloop-jobs-lab-debs-'));
    repo = await startAptRepo(await buildLabPackages(debDir));
    root = await makeHostRoot('jobs', { repoUrl: repo.url });
    ctx = {
      runner: localRunner({ root }),
      journal: new Journal(tempDir('jobs-lab')),
      machineId: 'c'.repeat(32),
      report: async (_id, report) => {
        sent.push(report);
        return { status: report.state, cancel: false };
      },
    };
  }, 900_000);

  afterAll(async () => {
    if (root) await removeHostRoot(root);
    await repo?.stop();
    if (debDir) await rm(debDir, { recursive: true, force: true });
  });

  it('installs exact versions, reports the reboot a root cannot perform, and rolls back', async () => {
    await runJob(
      job({
        packages: [
          { name: 'pl-app', version: '1.0-1' },
          { name: 'pl-kernel-ish', version: '1.0-1' },
        ],
      }),
      ctx,
    );
    expect(final()).toMatchObject({
      state: 'succeeded',
      before: [
        { name: 'pl-app', version: null },
        { name: 'pl-kernel-ish', version: null },
      ],
      after: [
        { name: 'pl-app', version: '1.0-1' },
        { name: 'pl-kernel-ish', version: '1.0-1' },
      ],
      reboot: { required: false, performed: false, reason: null },
    });
    expect(await installedVersion(root, 'pl-app')).toBe('1.0-1');

    await runJob(
      job({
        packages: [
          { name: 'pl-app', version: '1.0-2' },
          { name: 'pl-kernel-ish', version: '1.0-2' },
        ],
        preScript: 'test "$(cat /usr/share/pl-app/VERSION)" = 1.0-1',
        postScript: 'test "$(cat /usr/share/pl-app/VERSION)" = 1.0-2 && test "$PATCHLOOP_PHASE" = post-check',
      }),
      ctx,
    );
    expect(final()).toMatchObject({
      state: 'succeeded',
      after: [
        { name: 'pl-app', version: '1.0-2' },
        { name: 'pl-kernel-ish', version: '1.0-2' },
      ],
      reboot: { required: true, performed: false, reason: REASON_ROOT },
    });
    expect(sent.map((r) => r.state).slice(-4)).toEqual(['pre-check', 'installing', 'verifying', 'succeeded']);

    // An install job does not downgrade; a rollback does (--allow-downgrades).
    await runJob(job({ packages: [{ name: 'pl-app', version: '1.0-1' }] }), ctx);
    expect(final().error?.code).toBe('PL_JOB_DOWNGRADE_REFUSED');
    await runJob(job({ kind: 'rollback', packages: [{ name: 'pl-app', version: '1.0-1' }] }), ctx);
    expect(final()).toMatchObject({ state: 'succeeded', after: [{ name: 'pl-app', version: '1.0-1' }] });
    expect(await installedVersion(root, 'pl-app')).toBe('1.0-1');
  });

  it('a failing pre-check installs nothing; a failing post-check fails the task', async () => {
    await runJob(
      job({ packages: [{ name: 'pl-app', version: '1.0-2' }], preScript: 'echo not now >&2; exit 4' }),
      ctx,
    );
    expect(final().error).toEqual({
      code: 'PL_JOB_PRECHECK_FAILED',
      message: 'the pre-check script exited 4: not now',
    });
    expect(await installedVersion(root, 'pl-app')).toBe('1.0-1');
    await runJob(job({ packages: [{ name: 'pl-app', version: '1.0-2' }], postScript: 'exit 1' }), ctx);
    expect(final()).toMatchObject({ state: 'failed', error: { code: 'PL_JOB_POSTCHECK_FAILED' } });
    expect(await installedVersion(root, 'pl-app')).toBe('1.0-2');
  });

  it('a version not in the repository fails the host with a clear reason', async () => {
    await runJob(job({ packages: [{ name: 'pl-extra', version: '9.9' }] }), ctx);
    expect(final()).toMatchObject({
      state: 'failed',
      error: {
        code: 'PL_JOB_VERSION_UNAVAILABLE',
        message: "version 9.9 of pl-extra is not in the host's repositories",
      },
      after: [{ name: 'pl-extra', version: null }],
    });
  });

  it.skipIf(findCommand('python3') === null)('a held dpkg lock is PL_JOB_PM_LOCKED', async () => {
    // apt's locks are fcntl locks: python's lockf takes the same kind.
    const holder: ChildProcess = spawn(
      'python3',
      [
        '-c',
        'import fcntl,sys,time\nf=open(sys.argv[1],"w")\nfcntl.lockf(f,fcntl.LOCK_EX)\nprint("locked",flush=True)\ntime.sleep(60)',
        join(root, 'var/lib/dpkg/lock-frontend'),
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    try {
      await new Promise<void>((resolve) => holder.stdout?.once('data', () => resolve()));
      await runJob(job({ packages: [{ name: 'pl-extra', version: '1.0-1' }] }), ctx);
      expect(final().error?.code).toBe('PL_JOB_PM_LOCKED');
      expect(final().error?.message).toContain('/var/lib/dpkg/lock-frontend');
    } finally {
      holder.kill('SIGKILL');
    }
  });

  it("a failing maintainer script is PL_JOB_INSTALL_FAILED with dpkg's message", async () => {
    await runJob(job({ packages: [{ name: 'pl-broken', version: '1.0-2' }] }), ctx);
    expect(final().state).toBe('failed');
    expect(final().error?.code).toBe('PL_JOB_INSTALL_FAILED');
    expect(final().error?.message).toContain('dpkg: error processing package pl-broken (--configure)');
  });
});
