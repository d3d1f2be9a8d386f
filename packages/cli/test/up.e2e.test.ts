/**
 * `patchloop up`, the README's `npm start`: one command on the embedded
 * store, credentials generated and shown once, the machine it runs on
 * enrolled by the built-in agent, a clean stop on SIGTERM.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { client, csvPackages, debianBusterRoot, start, tempDir, waitFor } from './fleet-lab.js';

const clean = {
  PATCHLOOP_ADMIN_TOKEN: '',
  PATCHLOOP_ENROLL_SECRET: '',
  PATCHLOOP_ADMIN_PASSWORD: '',
  PATCHLOOP_FEED_SYNC_INTERVAL: '0',
  PATCHLOOP_LOG_LEVEL: 'warn',
  PATCHLOOP_CHECKIN_INTERVAL: '1s',
};

async function up(args: string[]) {
  const p = start(['up', '--port', '0', ...args], clean);
  const url = await waitFor('up to listen', async () => {
    if (p.child.exitCode !== null) throw new Error(`up exited: ${p.output()}`);
    return /listening on (http:\/\/\S+)/.exec(p.output())?.[1] ?? null;
  });
  await waitFor('the banner', async () => p.output().includes('enroll an agent:'));
  return Object.assign(p, { url });
}

describe('patchloop up', () => {
  const dataDir = tempDir('up');
  const root = debianBusterRoot(
    'up-host',
    'e2e000000000000000000000000000ff',
    csvPackages('debian-buster.csv'),
  );
  const stops: (() => Promise<unknown>)[] = [];
  afterAll(async () => {
    for (const s of stops) await s();
  });

  it('starts on the embedded store, prints credentials once, enrolls this machine, stops cleanly', async () => {
    const first = await up(['--data-dir', dataDir, '--root', root.root]);
    stops.push(() => first.stop());
    const out = first.output();
    expect(out).toMatch(/store: +embedded \(PGlite\)/);
    const token = /admin API token: (plt_\S+)/.exec(out)?.[1];
    const password = /admin user: admin, password (\S+)/.exec(out)?.[1];
    const secret = /enrollment secret: (\S+) \(shown once; stored hashed\)/.exec(out)?.[1];
    expect(out).toContain(`enroll an agent: PATCHLOOP_ENROLL_SECRET=${secret} npx patchloop agent --server`);
    expect(token && password && secret).toBeTruthy();
    // What another machine runs, with this server's URL, and what it still lacks for that.
    await waitFor('the installer line', async () => first.output().includes('listens on 127.0.0.1 only'));
    expect(first.output()).toContain(
      `install one on another machine: curl -fsSL ${first.url}/install.sh | sudo sh -s -- --enroll-token ${secret}`,
    );
    const health = await fetch(`${first.url}/healthz`);
    expect(health.status).toBe(200);
    const api = client(first.url, token!);
    const host = await waitFor('the local agent to check in', async () => {
      const r = await api<{ items: { hostname: string; tags: string[]; packageCount: number }[] }>(
        '/api/v1/hosts?tag=local',
      );
      return r.items.find((h) => h.packageCount > 0);
    });
    expect(host).toMatchObject({
      hostname: 'up-host',
      packageCount: csvPackages('debian-buster.csv').length,
    });
    // The password signs in.
    const s = await fetch(`${first.url}/api/v1/sessions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'admin', password }),
    });
    expect(s.status).toBe(201);
    // Ctrl-C: it says so and stops within seconds, its own agent's long poll parked meanwhile.
    const t0 = Date.now();
    expect(await first.stop('SIGINT')).toBe(0);
    expect(Date.now() - t0).toBeLessThan(10_000);
    expect(first.output()).toContain('Patchloop: stopping (Ctrl-C again to quit at once)');
    expect(first.output()).toContain('Patchloop: stopped');

    // Second start: same store, nothing generated again, the token still works.
    const second = await up(['--data-dir', dataDir, '--no-local-agent']);
    stops.push(() => second.stop());
    expect(second.output()).not.toContain('admin API token:');
    expect(second.output()).not.toContain('password');
    // The enrollment secret was printed once: a later start shows where to get it, not the secret.
    expect(second.output()).not.toContain(secret);
    expect(second.output()).toContain('PATCHLOOP_ENROLL_SECRET=<enrollment-secret> npx patchloop agent');
    const hosts = await client(second.url, token!)<{ total: number }>('/api/v1/hosts');
    expect(hosts.total).toBe(1);
    expect(await second.stop('SIGTERM')).toBe(0);
  }, 120_000);
});
