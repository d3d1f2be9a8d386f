/**
 * Agents keep machines apart: real `patchloop agent --once` processes against
 * a real server. Two roots with neither /etc/hostname nor /etc/machine-id,
 * each managed from the same working directory with the default state
 * directory, are two hosts named after their roots (not two "localhost"s,
 * not one merged host); an agent pointed at another machine's state
 * directory is refused; a machine whose agent lost its state cannot take its
 * host back with the shared secret alone, but with a one-time enrollment
 * token an admin issued for it, and is then the same host; a --tags change
 * after enrollment is said, not dropped.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  alpineRoot,
  client,
  csvPackages,
  debianBusterRoot,
  startServer,
  tempDir,
  type HostRoot,
  type Proc,
} from './fleet-lab.js';
import { patchloopAsync } from './run.js';

const ADMIN = 'e2e-admin-token-0123456789';
const SECRET = 'e2e-enroll-secret-0123456789';

interface Hosts {
  items: { id: number; hostname: string; os: unknown; packageCount: number; tags: string[] }[];
  total: number;
}

/** A root as a bare image often is: no hostname, no machine id. */
function anonymous(root: HostRoot): string {
  rmSync(join(root.root, 'etc/hostname'));
  rmSync(join(root.root, 'etc/machine-id'));
  return root.root;
}

describe('agents keep machines apart', () => {
  let server: Proc & { url: string };
  let api: ReturnType<typeof client>;
  const cwd = tempDir('agent-cwd');
  let debian: string;
  let alpine: string;
  const agent = (root: string, extra: string[] = []) =>
    patchloopAsync(
      ['agent', '--server', server.url, '--enroll-secret', SECRET, '--root', root, '--once', ...extra],
      '',
      {},
      cwd,
    );
  const hosts = () => api<Hosts>('/api/v1/hosts?limit=100');

  beforeAll(async () => {
    server = await startServer(['--data-dir', tempDir('identity')], {
      PATCHLOOP_ADMIN_TOKEN: ADMIN,
      PATCHLOOP_ENROLL_SECRET: SECRET,
      PATCHLOOP_FEED_SYNC_INTERVAL: '0',
      PATCHLOOP_LOG_LEVEL: 'warn',
    });
    api = client(server.url, ADMIN);
    debian = anonymous(debianBusterRoot('x', 'x', csvPackages('debian-buster.csv')));
    alpine = anonymous(alpineRoot('y', 'y', csvPackages('alpine-310.csv')));
  }, 120_000);
  afterAll(() => server?.stop());

  it('two roots from one working directory are two hosts, named after their roots', async () => {
    for (const root of [debian, alpine]) {
      const r = await agent(root, ['--tags', 'lab']);
      expect(r.status, r.stderr).toBe(0);
    }
    // And again: each agent keeps to its own state.
    for (const root of [debian, alpine]) expect((await agent(root, ['--tags', 'lab'])).status).toBe(0);
    const h = await hosts();
    expect(h.total).toBe(2);
    expect(h.items.map((x) => x.hostname).sort()).toEqual(
      [debian.split('/').pop(), alpine.split('/').pop()].sort(),
    );
    expect(h.items.map((x) => x.hostname)).not.toContain('localhost');
    const ids = h.items.map((x) => (x.os as { id: string }).id).sort();
    expect(ids).toEqual(['alpine', 'debian']);
  });

  it("refuses another machine's state directory", async () => {
    const shared = join(cwd, 'shared-state');
    // A fresh state directory for a machine the server knows: the shared secret does not re-enroll it.
    const fresh = await agent(debian, ['--state-dir', shared]);
    expect(fresh.status).toBe(1);
    expect(fresh.stderr).toContain('PL_ENROLL_HOST_EXISTS');
    const r = await agent(alpine, ['--state-dir', shared]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('PL_AGENT_STATE_MISMATCH');
    expect(r.stderr).toContain(`root:${debian}`);
  });

  it('a machine that lost its state re-enrolls with an admin token only, as the same host', async () => {
    const before = await hosts();
    rmSync(join(cwd, 'patchloop-agent'), { recursive: true, force: true });
    for (const root of [debian, alpine]) {
      const refused = await agent(root);
      expect(refused.status).toBe(1);
      expect(refused.stderr).toContain('PL_ENROLL_HOST_EXISTS');
    }
    for (const root of [debian, alpine]) {
      const id = before.items.find((x) => x.hostname === root.split('/').pop())!.id;
      const t = await api<{ token: string }>(`/api/v1/hosts/${id}/enroll-token`, {
        method: 'POST',
        body: '{}',
      });
      const r = await patchloopAsync(
        ['agent', '--server', server.url, '--enroll-secret', SECRET, '--root', root, '--once'],
        '',
        { PATCHLOOP_HOST_TOKEN: t.token },
        cwd,
      );
      expect(r.status, r.stderr).toBe(0);
      expect(r.stderr).toContain(`enrolled as host ${id}`);
    }
    const after = await hosts();
    expect(after.total).toBe(before.total);
    expect(after.items.map((x) => x.id).sort()).toEqual(before.items.map((x) => x.id).sort());
  });

  it('says that a --tags change after enrollment is not applied, and how to change tags', async () => {
    const r = await agent(debian, ['--tags', 'lab,web']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(
      /warning: --tags lab,web differ from the tags \(none\) this host was enrolled with/,
    );
    expect(r.stderr).toContain('PATCH /api/v1/hosts/');
  });
});
