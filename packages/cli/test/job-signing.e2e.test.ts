/**
 * Signed jobs end to end: a real `patchloop server` process on PostgreSQL
 * (which refuses to start without a key file), a key made with `patchloop
 * keys generate`, and the real Agent. A job whose row is changed directly in
 * the database after it was signed is refused by the agent — nothing runs —
 * and the task fails with PL_JOB_SIGNATURE_INVALID; an untouched job goes on
 * to the package manager. The agent's host is played by a runner that
 * records every command and installs nothing.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Agent, type HostRunner } from '@patchloop/agent';
import { openStore, type Db } from '@patchloop/store';
import { createDatabase } from '@patchloop/test-support/pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { DEBIAN_OS, dpkgCollection } from '@patchloop/test-support/agent-protocol';
import {
  client,
  csvPackages,
  dpkgStatus,
  type Proc,
  start,
  startServer,
  tempDir,
  waitFor,
  wirePackages,
} from './fleet-lab.js';
import { patchloopAsync } from './run.js';

const ADMIN = 'e2e-admin-token-0123456789';
const SECRET = 'e2e-enroll-secret-0123456789';
const MACHINE = 'e2e-signing-machine-0001';

/** A host that runs nothing: every command is recorded and fails. */
class RecordingHost implements HostRunner {
  readonly description = 'recording host';
  readonly kind = 'local' as const;
  readonly root = '/nonexistent-recording-root';
  readonly commands: string[] = [];
  /** Its dpkg database says what the agent reports; nothing ever changes it. */
  private readonly status = Buffer.from(dpkgStatus(csvPackages('debian-buster.csv')));
  readFile = async (path: string) => (path === '/var/lib/dpkg/status' ? this.status : null);
  exists = async (path: string) => path === '/var/lib/dpkg/status';
  listDir = async () => null;
  async run(command: string, args: readonly string[]) {
    this.commands.push([command, ...args].join(' '));
    return { code: 1, stdout: '', stderr: 'recording host: nothing runs here' };
  }
  runTool = this.run.bind(this);
}

interface View {
  hosts: { taskId: string; status: string; error: { code: string; message: string } | null }[];
}

describe('signed jobs end to end (PostgreSQL)', () => {
  let server: Proc & { url: string };
  let api: ReturnType<typeof client>;
  let db: Db;
  let databaseUrl: string;
  const dir = tempDir('job-signing');
  const keyFile = join(dir, 'job-signing.key');
  const host = new RecordingHost();
  let agent: Agent;
  const env = () => ({
    PATCHLOOP_DATABASE_URL: databaseUrl,
    PATCHLOOP_ADMIN_TOKEN: ADMIN,
    PATCHLOOP_ENROLL_SECRET: SECRET,
    PATCHLOOP_FEED_SYNC_INTERVAL: '0',
    PATCHLOOP_LOG_LEVEL: 'warn',
  });

  beforeAll(async () => {
    databaseUrl = await createDatabase(inject('pgUrl'), `signing_${process.pid}_${Date.now()}`);
    db = await openStore({ databaseUrl });
  }, 60_000);
  afterAll(async () => {
    await server?.stop();
    await db?.close();
  });

  it('refuses to start on PostgreSQL without a key file, naming the command that makes one', async () => {
    const p: Proc = start(['server', '--port', '0'], env());
    await waitFor('the server to give up', async () => p.child.exitCode !== null);
    expect(p.child.exitCode).not.toBe(0);
    expect(p.output()).toContain('PL_JOB_SIGNING_KEY_MISSING');
    expect(p.output()).toContain('patchloop keys generate --out');
  }, 60_000);

  it('runs with a key from `patchloop keys generate`; the agent pins it at enrollment', async () => {
    const g = await patchloopAsync(['keys', 'generate', '--out', keyFile]);
    expect(g.status, g.stderr).toBe(0);
    const keyId = /key id ([0-9a-f]{32})/.exec(g.stdout)?.[1];
    expect(keyId).toBeDefined();
    server = await startServer([], { ...env(), PATCHLOOP_JOB_SIGNING_KEY_FILE: keyFile });
    expect(server.output()).toContain(`job signing: key ${keyId}`);
    api = client(server.url, ADMIN);
    const packages = wirePackages(csvPackages('debian-buster.csv'));
    agent = new Agent({
      server: server.url,
      enrollSecret: SECRET,
      runner: host,
      stateDir: join(dir, 'agent-state'),
      maxPollSeconds: 2,
      collect: async () =>
        dpkgCollection({ machineId: MACHINE, hostname: 'signing-e2e', os: DEBIAN_OS.buster, packages }),
    });
    await agent.checkinOnce();
    const pinned = JSON.parse(readFileSync(join(dir, 'agent-state', 'server-key.json'), 'utf8')) as {
      keyId: string;
    };
    expect(pinned.keyId).toBe(keyId);
  }, 120_000);

  const deploy = async (version: string) => {
    const hosts = await api<{ items: { id: number }[] }>('/api/v1/hosts?limit=10');
    const d = await api<{ id: number }>('/api/v1/deployments', {
      method: 'POST',
      body: JSON.stringify({
        hosts: [hosts.items[0]!.id],
        packages: [{ name: 'gzip', version }],
        deadlineHours: 2,
      }),
    });
    // The server's worker dispatches (and signs) it.
    const taskId = await waitFor('the task to be dispatched', async () => {
      const v = await api<View>(`/api/v1/deployments/${d.id}`);
      return v.hosts[0]?.status === 'dispatched' ? v.hosts[0].taskId : null;
    });
    return { id: d.id, taskId };
  };
  const finalOf = (id: number) =>
    waitFor('the task to finish', async () => {
      const v = await api<View>(`/api/v1/deployments/${id}`);
      const t = v.hosts[0];
      return t && ['failed', 'succeeded', 'timed-out'].includes(t.status) ? t : null;
    });

  it('refuses a job whose row was changed in the database after signing, runs nothing and reports it', async () => {
    const d = await deploy('1.9-3+deb10u1');
    // Someone with write access to the database (not to the key file) changes what the job installs.
    await db.query(
      `UPDATE deployment_task SET packages = '[{"name":"gzip","version":"6.6.6-evil"}]' WHERE id = $1`,
      [d.taskId],
    );
    await agent.pollForJobs(6000, new AbortController().signal);
    const t = await finalOf(d.id);
    expect(t.status).toBe('failed');
    expect(t.error?.code).toBe('PL_JOB_SIGNATURE_INVALID');
    expect(host.commands).toEqual([]);
  }, 120_000);

  it('an untouched job passes the check and goes on to the package manager', async () => {
    const d = await deploy('1.9-3+deb10u1');
    await agent.pollForJobs(6000, new AbortController().signal);
    const t = await finalOf(d.id);
    // The recording host installs nothing, so the task fails — at the package manager, past the signature.
    expect(t.error?.code).not.toMatch(/SIGN|UNSIGNED|REPLAYED|EXPIRED|WRONG_HOST/);
    expect(host.commands.some((c) => c.includes('gzip=1.9-3+deb10u1'))).toBe(true);
  }, 120_000);
});
