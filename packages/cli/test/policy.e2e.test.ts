/**
 * `patchloop policy apply|list|show|simulate`, with the real binary: offline
 * against a store holding the Debian DSA list and two buster hosts, and
 * against a running server (token from the flag or PATCHLOOP_TOKEN, a wrong
 * token, a server that is not there).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
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
import { patchloopAsync, type Run } from './run.js';

interface Sim {
  policy: string;
  at: string;
  window: { open: boolean; start: string | null; end: string | null; next: string | null };
  hosts: {
    hostname: string;
    ring: string;
    action: string;
    updates: { package: string; sourcePackage: string; toVersion: string; advisories: string[] }[];
    held: { package: string; advisory: string | null; reason: string; detail: string }[];
  }[];
}

const POLICY = (deferDays: number) => `# Debian servers tagged linux: Saturday night in Berlin, pilot first.
name: linux-weekly
description: Debian servers, Saturday night in Berlin
selector: { tags: [linux] }
approve:
  classifications: [security]
  deferDays: ${deferDays}
exclude:
  packages: ['libgnutls*']
schedule:
  window: { cron: '0 2 * * 6', duration: '4h', timezone: 'Europe/Berlin' }
rings:
  - { name: pilot, selector: { tags: [pilot] } }
  - { name: broad, selector: {} }
`;

// Line 5: an unknown key; line 7: an hour of 25.
const BROKEN = `name: broken
selector: { tags: [linux] }
approve:
  deferDays: 3
  colour: blue
schedule:
  window: { cron: '0 25 * * 6', duration: '4h', timezone: 'Europe/Berlin' }
`;

const SATURDAY_NIGHT = '2024-06-08T02:30:00+02:00';
const TUESDAY_NOON = '2024-06-11T12:00:00+02:00';

/** A file path inside a regular expression. */
const re = (path: string) => path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

const ok = (r: Run) => `exit ${r.status}\n${r.stdout}\n${r.stderr}`;

const ADMIN = 'e2e-policy-admin-token-0123456789';

/**
 * A data dir with the DSA list and hosts h1 (linux, pilot) and h2 (linux) from the buster inventory.
 * The hosts are agents (enrolled and checked in through a real server with the real agent code,
 * their package manager answering with no pending update): imported hosts cannot run a deployment,
 * so a policy would only ever call them not deployable.
 */
async function fleetStore(prefix: string): Promise<string> {
  const dataDir = tempDir(prefix);
  const feed = await patchloopAsync([
    'feeds',
    'import',
    'debian-dsa',
    join(fixtures, 'debian-security-tracker/DSA-list.txt'),
    '--data-dir',
    dataDir,
  ]);
  expect([0, 3], ok(feed)).toContain(feed.status);
  const secret = 'e2e-policy-enroll-secret-0123456789';
  const server = await startServer(['--data-dir', dataDir], {
    PATCHLOOP_ADMIN_TOKEN: ADMIN,
    PATCHLOOP_ENROLL_SECRET: secret,
    PATCHLOOP_FEED_SYNC_INTERVAL: '0',
    PATCHLOOP_LOG_LEVEL: 'warn',
  });
  try {
    const packages = wirePackages(csvPackages('debian-buster.csv'));
    for (const [i, [hostname, tags]] of (
      [
        ['h1', ['linux', 'pilot']],
        ['h2', ['linux']],
      ] as const
    ).entries()) {
      const agent = new Agent({
        server: server.url,
        enrollSecret: secret,
        tags: [...tags],
        runner: localRunner({ root: '/' }),
        stateDir: tempDir(`${prefix}-${hostname}-state`),
        collect: async () =>
          dpkgCollection({ machineId: `${i}`.padStart(32, 'e'), hostname, os: DEBIAN_OS.buster, packages }),
      });
      await agent.checkinOnce();
    }
    // Assessed before the offline commands read the store.
    const api = client(server.url, ADMIN);
    await waitFor('both hosts assessed', async () => {
      const h = await api<{ items: { findingCounts: { total: number } }[] }>('/api/v1/hosts');
      return h.items.length === 2 && h.items.every((x) => x.findingCounts.total > 0);
    });
  } finally {
    expect(await server.stop()).toBe(0);
  }
  return dataDir;
}

describe('patchloop policy, offline', () => {
  let dataDir: string;
  const files = tempDir('policy-files');
  const policyFile = join(files, 'linux-weekly.yaml');
  beforeAll(async () => {
    dataDir = await fleetStore('policy');
  }, 120_000);

  const simulate = async (at: string, format = 'json') =>
    patchloopAsync([
      'policy',
      'simulate',
      'linux-weekly',
      '--at',
      at,
      '--format',
      format,
      '--data-dir',
      dataDir,
    ]);

  it('applies a policy and simulates it: pilot deploys in the window, broad waits for pilot', async () => {
    writeFileSync(policyFile, POLICY(0));
    const applied = await patchloopAsync(['policy', 'apply', '-f', policyFile, '--data-dir', dataDir]);
    expect(applied.status, ok(applied)).toBe(0);
    expect(applied.stdout).toBe('policy linux-weekly: created version 1\n');

    const r = await simulate(SATURDAY_NIGHT);
    expect(r.status, ok(r)).toBe(0);
    expect(r.stdout.endsWith('}\n')).toBe(true);
    const sim = JSON.parse(r.stdout) as Sim;
    expect(r.stdout).toBe(`${JSON.stringify(sim, null, 2)}\n`);
    expect(sim.policy).toBe('linux-weekly');
    expect(sim.at).toBe('2024-06-08T00:30:00.000Z');
    expect(sim.window).toEqual({
      open: true,
      start: '2024-06-08T00:00:00.000Z',
      end: '2024-06-08T04:00:00.000Z',
      next: '2024-06-15T00:00:00.000Z',
    });
    expect(sim.hosts.map((h) => [h.hostname, h.ring, h.action])).toEqual([
      ['h1', 'pilot', 'deploy'],
      ['h2', 'broad', 'wait-ring'],
    ]);
    const h1 = sim.hosts[0]!;
    expect(h1.updates.length).toBeGreaterThan(0);
    for (const u of h1.updates) {
      expect(u.advisories.length).toBeGreaterThan(0);
      for (const a of u.advisories) expect(a).toMatch(/^DSA-\d+-\d+$/);
    }
    expect(h1.updates).toContainEqual({
      package: 'dpkg',
      sourcePackage: 'dpkg',
      toVersion: '1.19.8',
      advisories: ['DSA-5147-1'],
    });
    // The excluded package is held, not updated.
    expect(h1.updates.map((u) => u.package)).not.toContain('libgnutls30');
    const held = h1.held.filter((x) => x.package === 'libgnutls30');
    expect(held.length).toBeGreaterThan(0);
    for (const x of held) {
      expect(x.reason).toBe('excluded');
      expect(x.advisory).toMatch(/^DSA-\d+-\d+$/);
    }
    expect(sim.hosts[1]!.updates).toEqual(h1.updates);

    // Deterministic: the same instant gives the same answer.
    expect((await simulate(SATURDAY_NIGHT)).stdout).toBe(r.stdout);

    const table = await simulate(SATURDAY_NIGHT, 'table');
    expect(table.status, ok(table)).toBe(0);
    const lines = table.stdout.split('\n');
    expect(lines[0]).toBe('policy linux-weekly at 2024-06-08T00:30:00.000Z: 2 hosts');
    expect(lines[1]).toBe(
      'window: open from 2024-06-08T00:00:00.000Z to 2024-06-08T04:00:00.000Z; next opening 2024-06-15T00:00:00.000Z',
    );
    expect(lines).toContain('h1  pilot  deploy');
    expect(lines).toContain('h2  broad  wait-ring');
    expect(lines).toContain('    dpkg → 1.19.8 (DSA-5147-1)');
    expect(lines).toContain(
      `    libgnutls30 ${held[0]!.advisory}: excluded (package matches exclude "libgnutls*")`,
    );
  }, 60_000);

  it('waits for the window outside it', async () => {
    const r = await simulate(TUESDAY_NOON);
    expect(r.status, ok(r)).toBe(0);
    const sim = JSON.parse(r.stdout) as Sim;
    expect(sim.window).toEqual({ open: false, start: null, end: null, next: '2024-06-15T00:00:00.000Z' });
    expect(sim.hosts.map((h) => [h.hostname, h.action])).toEqual([
      ['h1', 'wait-window'],
      ['h2', 'wait-ring'],
    ]);
    const table = await simulate(TUESDAY_NOON, 'table');
    expect(table.stdout.split('\n')[1]).toBe('window: closed; next opening 2024-06-15T00:00:00.000Z');
  }, 60_000);

  it('keeps every version: unchanged, then updated, listed and audited', async () => {
    const again = await patchloopAsync(['policy', 'apply', '-f', policyFile, '--data-dir', dataDir]);
    expect(again.status, ok(again)).toBe(0);
    expect(again.stdout).toBe('policy linux-weekly: unchanged (version 1)\n');

    writeFileSync(policyFile, POLICY(7));
    const changed = await patchloopAsync(['policy', 'apply', '-f', policyFile, '--data-dir', dataDir]);
    expect(changed.status, ok(changed)).toBe(0);
    expect(changed.stdout).toBe('policy linux-weekly: updated to version 2\n');

    const versions = await patchloopAsync([
      'policy',
      'show',
      'linux-weekly',
      '--versions',
      '--data-dir',
      dataDir,
    ]);
    expect(versions.status, ok(versions)).toBe(0);
    expect(versions.stdout).toMatch(
      /^policy linux-weekly: 2 versions\nVERSION +CREATED +BY +CHANGE\n2 +\S+ +cli +updated\n1 +\S+ +cli +created\n$/,
    );
    const versionsJson = await patchloopAsync([
      'policy',
      'show',
      'linux-weekly',
      '--versions',
      '--format',
      'json',
      '--data-dir',
      dataDir,
    ]);
    const items = (JSON.parse(versionsJson.stdout) as { items: { version: number; document: unknown }[] })
      .items;
    expect(items.map((v) => v.version)).toEqual([2, 1]);
    expect(items[0]!.document).toMatchObject({ approve: { deferDays: 7 } });
    expect(items[1]!.document).toMatchObject({ approve: { deferDays: 0 } });

    const show = await patchloopAsync(['policy', 'show', 'linux-weekly', '--data-dir', dataDir]);
    expect(show.status, ok(show)).toBe(0);
    expect(show.stdout).toMatch(/^policy linux-weekly: version 2, updated \S+ by cli\n\n/);
    expect(show.stdout.endsWith(POLICY(7))).toBe(true);

    const list = await patchloopAsync(['policy', 'list', '--data-dir', dataDir]);
    expect(list.stdout).toMatch(
      /^NAME +VERSION +UPDATED +BY +DESCRIPTION\nlinux-weekly +2 +\S+ +cli +Debian servers, Saturday night in Berlin\n$/,
    );

    const verify = await patchloopAsync(['audit', 'verify', '--data-dir', dataDir]);
    expect(verify.status, ok(verify)).toBe(0);
    expect(verify.stdout).toMatch(/audit log: \d+ events, chain intact/);
  }, 90_000);

  it('reports every problem of an invalid policy as FILE:LINE:COLUMN and stores nothing', async () => {
    const bad = join(files, 'broken.yaml');
    writeFileSync(bad, BROKEN);
    const r = await patchloopAsync(['policy', 'apply', '-f', bad, '--data-dir', dataDir]);
    expect(r.status, ok(r)).toBe(1);
    expect(r.stdout).toBe('');
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines).toContainEqual(
      expect.stringMatching(new RegExp(`^${re(bad)}:5:\\d+: approve\\.colour: unknown key`)),
    );
    expect(lines).toContainEqual(
      expect.stringMatching(new RegExp(`^${re(bad)}:7:\\d+: schedule\\.window\\.cron: .*cron`)),
    );
    expect(lines.at(-1)).toBe(`error PL_POLICY_INVALID: ${bad}: policy "broken" is invalid (2 problems)`);
    expect(r.stderr).not.toMatch(/\n\s+at /);

    const show = await patchloopAsync(['policy', 'show', 'broken', '--data-dir', dataDir]);
    expect(show.status).toBe(1);
    expect(show.stderr).toBe('error PL_NOT_FOUND: no policy broken\n');
  }, 60_000);

  it('applies a directory (sorted, JSON too): a bad file fails, the others are applied', async () => {
    const dir = join(files, 'dir');
    mkdirSync(dir);
    writeFileSync(join(dir, 'b-json.json'), JSON.stringify({ name: 'json-one', selector: { tags: ['x'] } }));
    writeFileSync(join(dir, 'a-bad.json'), '{\n  "name": "bad-json",\n  "bogus": 1\n}\n');
    writeFileSync(join(dir, 'c.yml'), 'name: yml-one\nreboot: never\n');
    writeFileSync(join(dir, 'notes.txt'), 'not a policy');
    const r = await patchloopAsync(['policy', 'apply', '-f', dir, '--data-dir', dataDir]);
    expect(r.status, ok(r)).toBe(1);
    expect(r.stdout).toBe('policy json-one: created version 1\npolicy yml-one: created version 1\n');
    // Line 3 holds the unknown key (core points at its value, column 12).
    const badFile = join(dir, 'a-bad.json');
    expect(r.stderr.split('\n')).toEqual([
      expect.stringMatching(
        new RegExp(`^${re(badFile)}:3:\\d+: bogus: unknown key \\(allowed: name, description, selector, `),
      ),
      `error PL_POLICY_INVALID: ${badFile}: policy "bad-json" is invalid (1 problem)`,
      // A global policy loses every host to the tag policy applied earlier: applied, but said.
      expect.stringMatching(
        /^warning: policy yml-one governs no host: other policies take precedence for all 2 it selects \(h1 → linux-weekly \(by tag\), h2 → linux-weekly \(by tag\)\)/,
      ),
      '',
    ]);
    const list = await patchloopAsync(['policy', 'list', '--format', 'json', '--data-dir', dataDir]);
    const names = (JSON.parse(list.stdout) as { items: { name: string }[] }).items.map((p) => p.name);
    expect(names).toEqual(['json-one', 'linux-weekly', 'yml-one']);
  }, 60_000);

  it('refuses bad usage with exit 2', async () => {
    for (const at of ['tomorrow', '2024-02-30T00:00:00Z', '2024-06-08T02:30:00']) {
      const r = await simulate(at);
      expect(r.status, ok(r)).toBe(2);
      expect(r.stderr).toMatch(/^error PL_USAGE: --at /);
    }
    const noFile = await patchloopAsync(['policy', 'apply', '--data-dir', dataDir]);
    expect(noFile.status).toBe(2);
    const missing = await patchloopAsync([
      'policy',
      'apply',
      '-f',
      join(files, 'nope.yaml'),
      '--data-dir',
      dataDir,
    ]);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/^error PL_USAGE: no such file or directory/);
    const both = await patchloopAsync([
      'policy',
      'list',
      '--data-dir',
      dataDir,
      '--server',
      'http://127.0.0.1:1',
      '--token',
      't',
    ]);
    expect(both.status).toBe(2);
    expect(both.stderr).toMatch(/^error PL_USAGE: /);
  }, 60_000);
});

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as { port: number }).port;
  await new Promise((r) => srv.close(r));
  return port;
}

describe('patchloop policy --server', () => {
  let server: Proc & { url: string };
  let offlineSim: string;
  const files = tempDir('policy-server-files');
  const policyFile = join(files, 'linux-weekly.yaml');
  writeFileSync(policyFile, POLICY(0));

  beforeAll(async () => {
    const dataDir = await fleetStore('policy-server');
    // What the store answers offline, to compare with the API's answer.
    const applied = await patchloopAsync(['policy', 'apply', '-f', policyFile, '--data-dir', dataDir]);
    expect(applied.status, ok(applied)).toBe(0);
    const sim = await patchloopAsync([
      'policy',
      'simulate',
      'linux-weekly',
      '--at',
      SATURDAY_NIGHT,
      '--format',
      'json',
      '--data-dir',
      dataDir,
    ]);
    expect(sim.status, ok(sim)).toBe(0);
    offlineSim = sim.stdout;
    server = await startServer(['--data-dir', dataDir], {
      PATCHLOOP_ADMIN_TOKEN: ADMIN,
      PATCHLOOP_ENROLL_SECRET: 'e2e-policy-enroll-secret-0123456789',
      PATCHLOOP_FEED_SYNC_INTERVAL: '0',
      PATCHLOOP_LOG_LEVEL: 'warn',
    });
  }, 180_000);
  afterAll(async () => {
    await server?.stop();
  });

  const remote = (args: string[], env: Record<string, string> = {}) =>
    patchloopAsync(['policy', ...args, '--server', server.url], undefined, env);

  it('applies, lists, shows and simulates through the API', async () => {
    const other = join(files, 'servers.json');
    writeFileSync(other, JSON.stringify({ name: 'servers', selector: { tags: ['server'] } }, null, 2));
    const created = await remote(['apply', '-f', other, '--token', ADMIN]);
    expect(created.status, ok(created)).toBe(0);
    expect(created.stdout).toBe('policy servers: created version 1\n');
    const again = await remote(['apply', '-f', other], { PATCHLOOP_TOKEN: ADMIN });
    expect(again.stdout).toBe('policy servers: unchanged (version 1)\n');

    // The document applied offline before the server started is the same one.
    const same = await remote(['apply', '-f', policyFile, '--token', ADMIN]);
    expect(same.stdout).toBe('policy linux-weekly: unchanged (version 1)\n');
    writeFileSync(join(files, 'changed.yaml'), POLICY(3));
    const changed = await remote(['apply', '-f', join(files, 'changed.yaml'), '--token', ADMIN]);
    expect(changed.stdout).toBe('policy linux-weekly: updated to version 2\n');

    const list = await remote(['list', '--format', 'json', '--token', ADMIN]);
    expect(list.status, ok(list)).toBe(0);
    const items = (
      JSON.parse(list.stdout) as { items: { name: string; version: number; updatedBy: string }[] }
    ).items;
    expect(items.map((p) => [p.name, p.version])).toEqual([
      ['linux-weekly', 2],
      ['servers', 1],
    ]);

    const versions = await remote(['show', 'linux-weekly', '--versions', '--token', ADMIN]);
    expect(versions.stdout).toMatch(/\n2 +\S+ +\S+ +updated\n1 +\S+ +cli +created\n$/);

    // deferDays 3 holds nothing for advisories years old: the API's simulation is the offline one.
    const sim = await remote([
      'simulate',
      'linux-weekly',
      '--at',
      SATURDAY_NIGHT,
      '--format',
      'json',
      '--token',
      ADMIN,
    ]);
    expect(sim.status, ok(sim)).toBe(0);
    expect(sim.stdout).toBe(offlineSim);

    const invalid = join(files, 'broken.yaml');
    writeFileSync(invalid, BROKEN);
    const bad = await remote(['apply', '-f', invalid, '--token', ADMIN]);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(new RegExp(`^${re(invalid)}:5:\\d+: approve\\.colour: unknown key`));

    const missing = await remote(['simulate', 'nope', '--token', ADMIN]);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toBe('error PL_NOT_FOUND: no policy nope\n');
  }, 90_000);

  it('a wrong token is PL_AUTH_REQUIRED, exit 1', async () => {
    for (const args of [['apply', '-f', policyFile], ['list'], ['simulate', 'linux-weekly']]) {
      const r = await remote([...args, '--token', 'plt_wrong']);
      expect(r.status, ok(r)).toBe(1);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(/^error PL_AUTH_REQUIRED: .+\n$/);
    }
    const none = await remote(['list'], { PATCHLOOP_TOKEN: '' });
    expect(none.status).toBe(2);
    expect(none.stderr).toMatch(/^error PL_USAGE: --server needs an API token/);
  }, 60_000);

  it('a server that is not there is a clean error, exit 1', async () => {
    const url = `http://127.0.0.1:${await closedPort()}`;
    for (const args of [['list'], ['apply', '-f', policyFile]]) {
      const r = await patchloopAsync(['policy', ...args, '--server', url, '--token', ADMIN]);
      expect(r.status, ok(r)).toBe(1);
      expect(r.stderr).toBe(`error PL_SERVER_UNREACHABLE: cannot reach the server at ${url}: ECONNREFUSED\n`);
    }
  }, 60_000);
});
