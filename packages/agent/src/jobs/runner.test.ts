import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import type { AgentJob, JobReport, JobReportResponse } from '@patchloop/contracts';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from '../collectors/testdata/fake-root.js';
import { Journal } from './journal.js';
import { REASON_NEVER, REASON_NOT_ALLOWED, REASON_ROOT, REASON_SSH } from './reboot.js';
import { flushJournal, runJob, type JobContext } from './runner.js';
import { FakeHost, timeoutError } from './testdata/fake-host.js';

const NOW = new Date('2026-03-01T10:00:00Z');
let seq = 0;

function job(over: Partial<AgentJob> = {}): AgentJob {
  return {
    id: `job-${String(++seq).padStart(6, '0')}`,
    deploymentId: 4,
    kind: 'install',
    packages: [{ name: 'bash', version: '5.2.15-2+b13' }],
    preScript: null,
    postScript: null,
    reboot: 'if-required',
    deadline: '2026-03-01T12:00:00Z',
    timeoutSeconds: 600,
    ...over,
  };
}

function host(): FakeHost {
  return new FakeHost(
    new Map([
      ['bash', '5.2.15-2+b8'],
      ['tzdata', '2026b-0+deb12u1'],
    ]),
    new Map([
      ['bash', ['5.2.15-2+b8', '5.2.15-2+b13']],
      ['tzdata', ['2025b-0+deb12u1', '2026b-0+deb12u1']],
    ]),
  );
}

interface Sent {
  id: string;
  report: JobReport;
}

function context(
  runner: FakeHost,
  over: Partial<JobContext> & { answer?: (r: JobReport) => JobReportResponse } = {},
) {
  const sent: Sent[] = [];
  const journal = over.journal ?? new Journal(tempDir('jobs'));
  const ctx: JobContext = {
    runner,
    journal,
    machineId: 'abcdef0123456789abcdef0123456789',
    now: () => NOW,
    report: async (id, report) => {
      sent.push({ id, report });
      return over.answer?.(report) ?? { status: report.state, cancel: false };
    },
    ...over,
  };
  return { ctx, sent, journal, states: () => sent.map((s) => s.report.state) };
}

const installs = (h: FakeHost) => h.lines.filter((l) => l.startsWith('apt-get') && l.includes(' install '));

describe('runJob on a fake dpkg host', () => {
  it('reports each step and installs the exact version with apt-get', async () => {
    const h = host();
    const { ctx, sent, states, journal } = context(h);
    const j = job();
    const out = await runJob(j, ctx);
    expect(out.kind).toBe('ran');
    expect(states()).toEqual(['pre-check', 'installing', 'verifying', 'succeeded']);
    expect(h.lines).toEqual([
      'apt-get -qq update',
      'apt-get -y -q -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold install -- bash=5.2.15-2+b13',
    ]);
    expect(h.commands[1]?.env.DEBIAN_FRONTEND).toBe('noninteractive');
    const final = sent.at(-1)!.report;
    expect(final).toMatchObject({
      state: 'succeeded',
      before: [{ name: 'bash', version: '5.2.15-2+b8', arch: 'amd64' }],
      after: [{ name: 'bash', version: '5.2.15-2+b13', arch: 'amd64' }],
      reboot: { required: false, performed: false, reason: null },
    });
    expect(sent[0]?.report.before).toEqual(final.before);
    // Each report carries the log since the previous one: the install's output goes with 'verifying'.
    expect(sent[2]?.report.log).toContain('Setting up bash (5.2.15-2+b13)');
    expect(final.log).not.toContain('Setting up');
    expect(journal.get(j.id)).toMatchObject({ phase: 'finished', acknowledged: true });
  });

  it('refuses a hostile package name on its own and installs the rest', async () => {
    const h = host();
    const { ctx, sent } = context(h);
    const out = await runJob(
      job({
        packages: [
          { name: 'bash', version: '5.2.15-2+b13' },
          { name: '-oDPkg::Pre-Invoke=touch /tmp/pwned', version: '1' },
          { name: 'tzdata', version: '2026b-0+deb12u1' },
        ],
      }),
      ctx,
    );
    expect(out.kind).toBe('ran');
    // One install of the two legitimate packages; the hostile name reaches no command line.
    expect(installs(h)).toEqual([
      'apt-get -y -q -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold install -- bash=5.2.15-2+b13 tzdata=2026b-0+deb12u1',
    ]);
    expect(h.lines.some((l) => l.includes('Pre-Invoke'))).toBe(false);
    const final = sent.at(-1)!.report;
    expect(final.state).toBe('failed');
    expect(final.error).toMatchObject({ code: 'PL_JOB_INVALID' });
    expect(final.error?.message).toContain('installed the other 2 package(s)');
    expect(final.error?.message).toContain('-oDPkg::Pre-Invoke');
    expect(final.after?.find((a) => a.name === 'bash')?.version).toBe('5.2.15-2+b13');
  });

  it('a job of hostile names only runs nothing', async () => {
    const h = host();
    const { ctx, sent } = context(h);
    await runJob(job({ packages: [{ name: 'bash; rm -rf /', version: '1' }] }), ctx);
    expect(h.lines).toEqual([]);
    expect(sent.at(-1)!.report).toMatchObject({ state: 'failed', error: { code: 'PL_JOB_INVALID' } });
  });

  it('runs a duplicated delivery once and re-sends the kept final report', async () => {
    const h = host();
    const { ctx, sent } = context(h);
    const j = job();
    await runJob(j, ctx);
    const again = await runJob({ ...j }, ctx);
    expect(again.kind).toBe('resent');
    expect(installs(h)).toHaveLength(1);
    expect(sent.at(-1)!.report).toEqual(sent.at(-2)!.report);
  });

  it('a failing pre-check installs nothing', async () => {
    const h = host();
    h.scripts.set('pre-check', { code: 3, stdout: '', stderr: 'service still has connections\n' });
    const { ctx, sent } = context(h);
    await runJob(job({ preScript: 'systemctl is-active --quiet app && exit 3' }), ctx);
    const final = sent.at(-1)!.report;
    expect(final.state).toBe('failed');
    expect(final.error).toEqual({
      code: 'PL_JOB_PRECHECK_FAILED',
      message: 'the pre-check script exited 3: service still has connections',
    });
    expect(h.lines).toEqual(['sh -c systemctl is-active --quiet app && exit 3']);
    expect(h.installed.get('bash')).toBe('5.2.15-2+b8');
  });

  it('a failing post-check fails the task after the install', async () => {
    const h = host();
    h.scripts.set('post-check', { code: 1, stdout: 'health check: 503\n', stderr: '' });
    const { ctx, sent } = context(h);
    await runJob(job({ postScript: 'curl -fsS localhost/health' }), ctx);
    const final = sent.at(-1)!.report;
    expect(final).toMatchObject({
      state: 'failed',
      error: {
        code: 'PL_JOB_POSTCHECK_FAILED',
        message: 'the post-check script exited 1: health check: 503',
      },
      after: [{ name: 'bash', version: '5.2.15-2+b13' }],
    });
    expect(h.commands.at(-1)?.env.PATCHLOOP_PHASE).toBe('post-check');
  });

  it('fails verification when the database does not show the target version', async () => {
    const h = host();
    h.onInstall = () => {
      h.installed.set('bash', '5.2.15-2+b9');
      return { code: 0, stdout: '', stderr: '' };
    };
    const { ctx, sent } = context(h);
    await runJob(
      job({
        packages: [
          { name: 'bash', version: '5.2.15-2+b13' },
          { name: 'tzdata', version: '2026b-0+deb12u1' },
        ],
      }),
      ctx,
    );
    expect(sent.at(-1)!.report.error).toEqual({
      code: 'PL_JOB_VERIFY_FAILED',
      message: 'not installed as asked: bash: wanted 5.2.15-2+b13, installed 5.2.15-2+b9',
    });
  });

  it('a version the repositories do not have fails with a clear reason', async () => {
    const h = host();
    const { ctx, sent } = context(h);
    await runJob(job({ packages: [{ name: 'bash', version: '9.9' }] }), ctx);
    expect(sent.at(-1)!.report).toMatchObject({
      state: 'failed',
      error: {
        code: 'PL_JOB_VERSION_UNAVAILABLE',
        message: "version 9.9 of bash is not in the host's repositories",
      },
      after: [{ name: 'bash', version: '5.2.15-2+b8' }],
    });
  });

  it('past its deadline nothing runs and the task is timed-out', async () => {
    const h = host();
    const { ctx, states, sent } = context(h);
    await runJob(job({ deadline: '2026-03-01T09:59:59Z' }), ctx);
    expect(states()).toEqual(['timed-out']);
    expect(sent[0]?.report.error?.code).toBe('PL_JOB_DEADLINE_PASSED');
    expect(h.commands).toEqual([]);
  });

  it('a cancelled deployment stops before installing', async () => {
    const h = host();
    const { ctx, states, sent } = context(h, {
      answer: (r) => ({ status: 'cancelled', cancel: r.state === 'installing' }),
    });
    await runJob(job({ preScript: 'true' }), ctx);
    expect(states()).toEqual(['pre-check', 'installing', 'failed']);
    expect(sent.at(-1)!.report.error?.code).toBe('PL_JOB_CANCELLED');
    expect(installs(h)).toEqual([]);
  });

  it('a hung install is killed at the timeout and reported', async () => {
    const h = host();
    h.onInstall = () => {
      throw timeoutError(600_000);
    };
    const { ctx, sent } = context(h);
    await runJob(job(), ctx);
    expect(sent.at(-1)!.report).toMatchObject({ state: 'failed', error: { code: 'PL_JOB_TIMEOUT' } });
  });

  it('refuses to downgrade in an install job; a rollback downgrades', async () => {
    const h = host();
    const { ctx, sent } = context(h);
    await runJob(job({ packages: [{ name: 'tzdata', version: '2025b-0+deb12u1' }] }), ctx);
    expect(sent.at(-1)!.report.error?.code).toBe('PL_JOB_DOWNGRADE_REFUSED');
    expect(installs(h)).toEqual([]);
    await runJob(job({ kind: 'rollback', packages: [{ name: 'tzdata', version: '2025b-0+deb12u1' }] }), ctx);
    expect(sent.at(-1)!.report.state).toBe('succeeded');
    expect(installs(h)[0]).toContain('--allow-downgrades install -- tzdata=2025b-0+deb12u1');
  });

  it('decides reboots conservatively', async () => {
    const root = host();
    root.files.set('/var/run/reboot-required', '*** System restart required ***\n');
    const r1 = context(root);
    await runJob(job({ reboot: 'if-required' }), r1.ctx);
    expect(r1.sent.at(-1)!.report.reboot).toEqual({ required: true, performed: false, reason: REASON_ROOT });
    await runJob(job({ reboot: 'never' }), r1.ctx);
    expect(r1.sent.at(-1)!.report.reboot).toEqual({ required: true, performed: false, reason: REASON_NEVER });

    const ssh = new FakeHost(
      new Map([['bash', '5.2.15-2+b8']]),
      new Map([['bash', ['5.2.15-2+b13']]]),
      '/',
      'ssh',
    );
    const r2 = context(ssh);
    await runJob(job({ reboot: 'always' }), r2.ctx);
    expect(r2.sent.at(-1)!.report.reboot).toEqual({ required: false, performed: false, reason: REASON_SSH });

    const live = new FakeHost(new Map([['bash', '5.2.15-2+b8']]), new Map([['bash', ['5.2.15-2+b13']]]), '/');
    const r3 = context(live);
    await runJob(job({ reboot: 'always' }), r3.ctx);
    expect(r3.sent.at(-1)!.report.reboot?.reason).toBe(REASON_NOT_ALLOWED);
    expect(live.lines.some((l) => l.startsWith('shutdown'))).toBe(false);
    const r4 = context(live, { allowReboot: true });
    await runJob(job({ reboot: 'always', packages: [{ name: 'bash', version: '5.2.15-2+b13' }] }), r4.ctx);
    expect(r4.sent.at(-1)!.report.reboot).toEqual({ required: false, performed: true, reason: null });
    expect(live.lines.at(-1)).toBe('shutdown -r +1 Patchloop: reboot after deployment 4');
  });
});

describe('exactly once across restarts', () => {
  it('an interrupted job is reported from a fresh read, never re-run', async () => {
    const h = host();
    const { ctx, sent, journal } = context(h);
    const j = job();
    // The agent was killed while apt-get ran; apt-get got as far as installing the target.
    journal.put({
      id: j.id,
      phase: 'installing',
      job: j,
      startedAt: NOW.toISOString(),
      updatedAt: NOW.toISOString(),
      before: [{ name: 'bash', version: '5.2.15-2+b8' }],
    });
    h.installed.set('bash', '5.2.15-2+b13');
    const out = await runJob(j, ctx);
    expect(out.kind).toBe('recovered');
    expect(h.commands).toEqual([]);
    expect(sent.map((s) => s.report)).toEqual([
      expect.objectContaining({
        state: 'succeeded',
        recovered: true,
        before: [{ name: 'bash', version: '5.2.15-2+b8' }],
        after: [{ name: 'bash', version: '5.2.15-2+b13', arch: 'amd64' }],
      }),
    ]);
    // Delivered again: the kept report, still nothing run.
    expect((await runJob(j, ctx)).kind).toBe('resent');
    expect(h.commands).toEqual([]);
  });

  it('an interrupted job whose targets are not installed fails with PL_JOB_INTERRUPTED', async () => {
    const h = host();
    const { ctx, sent, journal } = context(h);
    const j = job();
    journal.put({
      id: j.id,
      phase: 'pre-check',
      job: j,
      startedAt: NOW.toISOString(),
      updatedAt: NOW.toISOString(),
    });
    const out = await flushJournal(ctx);
    expect(out.map((o) => o.kind)).toEqual(['recovered']);
    expect(sent[0]?.report).toMatchObject({
      state: 'failed',
      recovered: true,
      error: { code: 'PL_JOB_INTERRUPTED' },
      after: [{ name: 'bash', version: '5.2.15-2+b8' }],
    });
    expect(sent[0]?.report.error?.message).toContain('bash: wanted 5.2.15-2+b13, installed 5.2.15-2+b8');
    expect(h.commands).toEqual([]);
  });

  it('a damaged journal entry is treated as interrupted', async () => {
    const h = host();
    const { ctx, journal } = context(h);
    const j = job();
    writeFileSync(`${journal.dir}/${j.id}.json`, '{"id":');
    expect((await runJob(j, ctx)).kind).toBe('recovered');
    expect(h.commands).toEqual([]);
  });

  it('keeps a final report the server did not acknowledge and sends it again', async () => {
    const h = host();
    let down = true;
    const { ctx, sent, journal } = context(h, {
      report: async (id, report) => {
        if (down) throw new Error('connect ECONNREFUSED');
        sent.push({ id, report });
        return { status: report.state, cancel: false };
      },
    });
    const j = job();
    const out = await runJob(j, ctx);
    expect(out).toMatchObject({ kind: 'ran', acknowledged: false });
    expect(journal.get(j.id)).toMatchObject({ phase: 'finished', acknowledged: false });
    down = false;
    const flushed = await flushJournal(ctx);
    expect(flushed).toMatchObject([{ kind: 'resent', acknowledged: true }]);
    // The log of the progress reports that never arrived went with the final one.
    expect(sent[0]?.report.log).toContain('apt-get -qq update');
    expect(journal.get(j.id)?.acknowledged).toBe(true);
    expect(installs(h)).toHaveLength(1);
  });
});

describe('the job lock', () => {
  const children: number[] = [];
  afterAll(() => {
    for (const pid of children) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
  });

  it('a job is left for later while another live process holds the lock; a stale lock is taken over', async () => {
    const h = host();
    const { ctx, journal, sent } = context(h);
    const other = spawn('sleep', ['60'], { stdio: 'ignore' });
    children.push(other.pid!);
    writeFileSync(journal.lockFile, JSON.stringify({ pid: other.pid, since: NOW.toISOString(), jobId: 'x' }));
    const j = job();
    const busy = await runJob(j, ctx);
    expect(busy).toMatchObject({ kind: 'busy', holder: { pid: other.pid } });
    expect(h.commands).toEqual([]);
    expect(sent).toEqual([]);
    expect(journal.get(j.id)).toBeNull();
    other.kill('SIGKILL');
    await new Promise((r) => other.once('exit', r));
    expect((await runJob(j, ctx)).kind).toBe('ran');
    expect(installs(h)).toHaveLength(1);
  });
});
