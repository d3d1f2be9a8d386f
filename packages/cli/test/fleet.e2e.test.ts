/**
 * A fleet, end to end, with real processes: the server (on PGlite and on
 * PostgreSQL) importing feeds from a mirror directory, three agents each
 * managing a root built from the fixture inventories, and one agentless host
 * reached over SSH through a real sshd. The API must show each host's
 * packages and exactly the findings `patchloop scan` finds for the same
 * root; an inventory change shows after the next check-in; an agent killed
 * at random moments converges after a restart.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sshdUnavailable, startSshd, type Sshd } from '@patchloop/agent/testing';
import { createDatabase } from '@patchloop/test-support/pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  agentArgs,
  alpineRoot,
  apkInstalled,
  client,
  type CsvPackage,
  csvPackages,
  debianBusterRoot,
  dpkgStatus,
  feedMirror,
  type HostRoot,
  type Proc,
  serverEnv,
  start,
  startServer,
  tempDir,
  waitFor,
} from './fleet-lab.js';
import { patchloopAsync } from './run.js';

const ADMIN = 'e2e-admin-token-0123456789';
const SECRET = 'e2e-enroll-secret-0123456789';

interface ApiFinding {
  advisory: { id: string };
  package: string;
  installedVersion: string;
  fixedVersion: string | null;
  status: string;
  resolvedAt: string | null;
  firstSeen: string;
}
interface ApiHost {
  id: number;
  hostname: string;
  packageCount: number;
  transport: string;
  lastSeen: string | null;
}

const key = (f: Omit<ApiFinding, 'resolvedAt' | 'firstSeen'>) =>
  `${f.advisory.id}|${f.package}|${f.installedVersion}|${f.fixedVersion ?? ''}|${f.status}`;

const sshWhy = sshdUnavailable();
if (sshWhy !== null) console.warn(`SKIPPED: the fleet end-to-end test needs a real sshd: ${sshWhy}`);

describe.skipIf(sshWhy !== null).each(['pglite', 'postgres'] as const)('a fleet on %s', (backend) => {
  const dataDir = tempDir(`fleet-${backend}`);
  const env = serverEnv(ADMIN, SECRET, { PATCHLOOP_CHECKIN_INTERVAL: '1s' });
  let server: Proc & { url: string };
  let api: ReturnType<typeof client>;
  let sshd: Sshd;
  const agents = new Map<string, Proc>();
  const buster = csvPackages('debian-buster.csv');
  const alpine = csvPackages('alpine-310.csv');
  let hosts: { a: HostRoot; b: HostRoot; alpine: HostRoot; ssh: HostRoot };

  // One state directory per host for the whole run (kept across agent restarts), never shared
  // with another run: a state directory belongs to one machine (PL_AGENT_STATE_MISMATCH).
  const stateDirs = new Map<string, string>();
  const stateDirOf = (h: HostRoot) => {
    let d = stateDirs.get(h.hostname);
    if (d === undefined) stateDirs.set(h.hostname, (d = join(tempDir(`state-${backend}`), h.hostname)));
    return d;
  };
  const hostAgentArgs = (h: HostRoot, extra: string[] = []) =>
    agentArgs({
      server: server.url,
      secret: SECRET,
      root: h.root,
      stateDir: stateDirOf(h),
      tags: `e2e,${h.hostname}`,
      extra,
    });
  const startAgent = (h: HostRoot, extra: string[] = []) => {
    const p = start(hostAgentArgs(h, extra), {});
    agents.set(h.hostname, p);
    return p;
  };
  const quiet = () =>
    waitFor('the job queue to empty', async () => {
      const f = await api<{ jobs: Record<string, number> }>('/api/v1/feeds');
      return (f.jobs.queued ?? 0) === 0 && (f.jobs.running ?? 0) === 0;
    });
  const hostByName = async (name: string) =>
    (await api<{ items: ApiHost[] }>(`/api/v1/hosts?q=${encodeURIComponent(name)}`)).items.find(
      (h) => h.hostname === name,
    );
  const openFindings = async (id: number) =>
    (await api<{ items: ApiFinding[] }>(`/api/v1/hosts/${id}/findings?limit=1000`)).items;

  beforeAll(async () => {
    if (backend === 'postgres') {
      env.PATCHLOOP_DATABASE_URL = await createDatabase(
        inject('pgUrl'),
        `fleet_${process.pid}_${Date.now()}`,
      );
    }
    env.PATCHLOOP_FEED_MIRROR = feedMirror();
    server = await startServer(['--data-dir', dataDir], env);
    api = client(server.url, ADMIN);
    await waitFor(
      'the mirror feeds to be imported',
      async () => {
        const f = await api<{ items: { source: string; records: number }[] }>('/api/v1/feeds');
        const n = (s: string) => f.items.find((i) => i.source === s)?.records ?? 0;
        return n('debian-dsa') > 0 && n('debian-dla') > 0 && n('alpine-secdb') > 0;
      },
      120_000,
    );
    await quiet();
    // Host B has a few vulnerable packages already upgraded; the SSH host is another buster machine.
    const upgraded = new Set(['gzip', 'libgnutls30', 'tar']);
    const bPkgs = buster.map((p) =>
      upgraded.has(p.name)
        ? { ...p, version: `${p.version}+deb10u9`, sourceVersion: `${p.sourceVersion}+deb10u9` }
        : p,
    );
    hosts = {
      a: debianBusterRoot('buster-a', 'e2e0000000000000000000000000000a', buster),
      b: debianBusterRoot('buster-b', 'e2e0000000000000000000000000000b', bPkgs),
      alpine: alpineRoot('alpine-1', 'e2e00000000000000000000000000a1e', alpine),
      ssh: debianBusterRoot('buster-ssh', 'e2e00000000000000000000000000555', buster),
    };
    sshd = await startSshd();
    for (const h of [hosts.a, hosts.b, hosts.alpine]) startAgent(h);
    startAgent(hosts.ssh, [
      '--ssh',
      `${sshd.user}@${sshd.host}:${sshd.port}`,
      '--ssh-key',
      sshd.identityFile,
      '--ssh-known-hosts',
      sshd.knownHostsFile,
    ]);
  }, 240_000);

  afterAll(async () => {
    await Promise.all([...agents.values()].map((a) => a.stop()));
    await server?.stop();
    sshd?.stop();
  });

  async function scanJson(h: HostRoot): Promise<Set<string>> {
    const r = await patchloopAsync(
      ['scan', '--root', h.root, '--data-dir', dataDir, '--format', 'json'],
      undefined,
      env,
    );
    expect(r.status, r.stderr).toBe(0);
    return new Set((JSON.parse(r.stdout) as { findings: ApiFinding[] }).findings.map(key));
  }

  it('shows every host with its packages and the findings patchloop scan finds', async () => {
    const names = Object.values(hosts).map((h) => h.hostname);
    await waitFor(
      'four hosts with inventories',
      async () => {
        const list = await api<{ items: ApiHost[]; total: number }>('/api/v1/hosts?tag=e2e');
        return list.total === 4 && list.items.every((h) => h.packageCount > 0);
      },
      120_000,
    );
    await quiet();
    for (const h of Object.values(hosts)) {
      const host = await hostByName(h.hostname);
      expect(host, h.hostname).toBeDefined();
      const expected = h === hosts.alpine ? alpine.length : h === hosts.b ? buster.length : buster.length;
      expect(host?.packageCount).toBe(expected);
      const api = new Set((await openFindings(host!.id)).map(key));
      const scan = await scanJson(h);
      expect(scan.size, `${h.hostname} has findings`).toBeGreaterThan(0);
      expect([...api].sort(), h.hostname).toEqual([...scan].sort());
    }
    expect((await hostByName('buster-ssh'))?.transport).toBe('ssh');
    expect(names).toHaveLength(4);
    // The upgraded packages on host B no longer carry the findings host A has for them.
    const a = await openFindings((await hostByName('buster-a'))!.id);
    const b = await openFindings((await hostByName('buster-b'))!.id);
    expect(a.length).toBeGreaterThan(b.length);
  }, 240_000);

  it('reflects an inventory change after the next check-in', async () => {
    const host = (await hostByName('buster-a'))!;
    const before = await openFindings(host.id);
    const target = before.find((f) => f.status === 'fixable' && f.fixedVersion !== null)!;
    expect(target).toBeDefined();
    const pkgs: CsvPackage[] = buster.map((p) =>
      p.name === target.package
        ? { ...p, version: target.fixedVersion!, sourceVersion: target.fixedVersion! }
        : p,
    );
    writeFileSync(join(hosts.a.root, 'var/lib/dpkg/status'), dpkgStatus(pkgs));
    const resolved = await waitFor(
      `${target.advisory.id} on ${target.package} to be resolved`,
      async () => {
        const r = await api<{ items: ApiFinding[] }>(
          `/api/v1/hosts/${host.id}/findings?status=resolved&package=${encodeURIComponent(target.package)}`,
        );
        return r.items.find((f) => f.advisory.id === target.advisory.id && f.resolvedAt !== null);
      },
      60_000,
    );
    expect(resolved.firstSeen).toBe(target.firstSeen);
    await quiet();
    const after = new Set((await openFindings(host.id)).map(key));
    expect([...after].sort()).toEqual([...(await scanJson(hosts.a))].sort());
  }, 120_000);

  it('an agent killed at random moments converges after a restart', async () => {
    const h = hosts.alpine;
    await agents.get(h.hostname)!.stop('SIGKILL');
    let pkgs = alpine;
    for (let round = 0; round < 4; round++) {
      // Each round changes the inventory, starts the agent and kills it somewhere in its work.
      pkgs = pkgs.map((p, i) =>
        i % 7 === round
          ? { ...p, version: `${p.version.replace(/-r(\d+)$/, (_, n: string) => `-r${Number(n) + 1}`)}` }
          : p,
      );
      writeFileSync(join(h.root, 'lib/apk/db/installed'), apkInstalled(pkgs));
      const p = startAgent(h);
      await new Promise((r) => setTimeout(r, 150 + round * 250));
      await p.stop('SIGKILL');
    }
    startAgent(h);
    const host = (await hostByName(h.hostname))!;
    const want = pkgs.map((p) => `${p.name}=${p.version}`).sort();
    await waitFor(
      "the server to hold the agent's final inventory",
      async () => {
        const r = await api<{ items: { name: string; version: string }[] }>(
          `/api/v1/hosts/${host.id}/packages`,
        );
        const got = r.items.map((p) => `${p.name}=${p.version}`).sort();
        return JSON.stringify(got) === JSON.stringify(want);
      },
      60_000,
    );
    const state = JSON.parse(readFileSync(join(stateDirOf(h), 'enrollment.json'), 'utf8')) as {
      hostId: number;
    };
    expect(state.hostId).toBe(host.id);
    expect((await api<{ total: number }>('/api/v1/hosts?tag=e2e')).total).toBe(4);
  }, 120_000);
});
