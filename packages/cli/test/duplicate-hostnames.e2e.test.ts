/**
 * Two real agents of one hostname (cloned VMs both called `localhost`)
 * against a real server process: two hosts, each marked as sharing its name,
 * and a deployment from a policy sends the vulnerable clone's updates to that
 * clone — its namesake's agent is handed nothing.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEBIAN_OS, dpkgCollection } from '@patchloop/test-support/agent-protocol';
import { Agent, localRunner } from '@patchloop/agent';
import {
  client,
  csvPackages,
  fixtures,
  type Proc,
  startServer,
  tempDir,
  waitFor,
  wirePackages,
} from './fleet-lab.js';
import { patchloopAsync } from './run.js';

const ADMIN = 'e2e-dup-admin-token-0123456789';
const SECRET = 'e2e-dup-enroll-secret-0123456789';
const POLICY = `name: clones
selector: { tags: [clone] }
rings:
  - { name: all, selector: {} }
reboot: never
`;

interface Clone {
  machineId: string;
  stateDir: string;
  hostId: number;
}

describe('two agents of one hostname', () => {
  let server: Proc & { url: string };
  let api: ReturnType<typeof client>;
  const clones: Record<'vulnerable' | 'clean', Clone> = {
    vulnerable: { machineId: 'a'.repeat(32), stateDir: tempDir('dup-vulnerable'), hostId: 0 },
    clean: { machineId: 'b'.repeat(32), stateDir: tempDir('dup-clean'), hostId: 0 },
  };
  /** Polls for jobs with the credential the real agent keeps in its state directory. */
  const poll = async (c: Clone) => {
    const e = JSON.parse(readFileSync(join(c.stateDir, 'enrollment.json'), 'utf8')) as { credential: string };
    const r = await fetch(`${server.url}/api/v1/agent/jobs/poll`, {
      method: 'POST',
      headers: { authorization: `Bearer ${e.credential}`, 'content-type': 'application/json' },
      body: JSON.stringify({ machineId: c.machineId, waitSeconds: 0 }),
    });
    expect(r.status).toBe(200);
    return ((await r.json()) as { jobs: { id: string; packages: { name: string }[] }[] }).jobs;
  };

  beforeAll(async () => {
    const dataDir = tempDir('dup-data');
    const feed = await patchloopAsync([
      'feeds',
      'import',
      'debian-dsa',
      join(fixtures, 'debian-security-tracker/DSA-list.txt'),
      '--data-dir',
      dataDir,
    ]);
    expect([0, 3], feed.stderr).toContain(feed.status);
    server = await startServer(['--data-dir', dataDir], {
      PATCHLOOP_ADMIN_TOKEN: ADMIN,
      PATCHLOOP_ENROLL_SECRET: SECRET,
      PATCHLOOP_FEED_SYNC_INTERVAL: '0',
      PATCHLOOP_LOG_LEVEL: 'warn',
    });
    api = client(server.url, ADMIN);
    const buster = wirePackages(csvPackages('debian-buster.csv'));
    // The vulnerable clone enrolls first; the clean one (one package, nothing to fix) second.
    for (const [which, packages] of [
      ['vulnerable', buster],
      ['clean', buster.filter((p) => p.name === 'base-files')],
    ] as const) {
      const c = clones[which];
      const agent = new Agent({
        server: server.url,
        enrollSecret: SECRET,
        tags: ['clone'],
        runner: localRunner({ root: '/' }),
        stateDir: c.stateDir,
        collect: async () =>
          dpkgCollection({ machineId: c.machineId, hostname: 'localhost', os: DEBIAN_OS.buster, packages }),
      });
      c.hostId = (await agent.checkinOnce()).hostId;
    }
    await waitFor('the vulnerable clone assessed', async () => {
      const h = await api<{ findingCounts: { total: number } }>(`/api/v1/hosts/${clones.vulnerable.hostId}`);
      return h.findingCounts.total > 0;
    });
  }, 180_000);
  afterAll(() => server?.stop());

  it('keeps them two hosts, each marked as sharing its name', async () => {
    expect(clones.vulnerable.hostId).not.toBe(clones.clean.hostId);
    const list = await api<{ items: { id: number; hostname: string; duplicateName: boolean }[] }>(
      '/api/v1/hosts?limit=10',
    );
    expect(list.items.map((h) => [h.id, h.hostname, h.duplicateName]).sort()).toEqual(
      [
        [clones.vulnerable.hostId, 'localhost', true],
        [clones.clean.hostId, 'localhost', true],
      ].sort(),
    );
  });

  it("hands the vulnerable clone's updates to its agent, none to its namesake's", async () => {
    await api('/api/v1/policies/clones', {
      method: 'PUT',
      body: POLICY,
      headers: { 'content-type': 'application/yaml' },
    });
    const d = await api<{ id: number; hosts: { hostId: number }[] }>('/api/v1/deployments', {
      method: 'POST',
      body: JSON.stringify({ policy: 'clones' }),
    });
    expect(d.hosts.map((h) => h.hostId)).toEqual([clones.vulnerable.hostId]);
    const jobs = await waitFor('the job dispatched', async () => {
      const j = await poll(clones.vulnerable);
      return j.length > 0 ? j : null;
    });
    expect(jobs[0]!.packages.length).toBeGreaterThan(0);
    expect(await poll(clones.clean)).toEqual([]);
  });
});
