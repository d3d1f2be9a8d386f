/**
 * The embedded store belongs to one process. The sequence that used to
 * destroy it — `patchloop up` running, then `hosts import` / `feeds import`
 * on the same ./patchloop-data, then a restart — is refused with a clear
 * message naming the server, and the same commands sent with --server reach
 * the running server. Also: a second server on the same data directory or
 * the same port says why and exits, a killed server's lock is taken over,
 * and the data is all there after each restart.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { client, fixtures, startServer, tempDir, waitFor, type Proc } from './fleet-lab.js';
import { patchloopAsync } from './run.js';

const ADMIN = 'e2e-admin-token-0123456789';
const ENV = {
  PATCHLOOP_ADMIN_TOKEN: ADMIN,
  PATCHLOOP_ENROLL_SECRET: 'e2e-enroll-secret-0123456789',
  PATCHLOOP_FEED_SYNC_INTERVAL: '0',
  PATCHLOOP_LOG_LEVEL: 'warn',
};
const BUSTER = join(fixtures, 'inventories/normalized/debian-buster.csv');
const DSA = join(fixtures, 'debian-security-tracker/DSA-list.txt');
const ALMA = join(fixtures, 'osv-almalinux/almalinux9');

interface Hosts {
  items: { id: number; hostname: string; packageCount: number }[];
  total: number;
}
interface Feeds {
  items: { source: string; records: number }[];
}

describe('one process per embedded store', () => {
  const dataDir = tempDir('in-use');
  let server: Proc & { url: string };
  const run = (args: string[], env: Record<string, string> = {}) =>
    patchloopAsync(args, '', { ...ENV, ...env });

  beforeAll(async () => {
    server = await startServer(['--data-dir', dataDir], ENV);
  }, 120_000);
  afterAll(async () => {
    await server?.stop('SIGKILL');
  });

  it('refuses hosts import and feeds import on the store of a running server, naming it', async () => {
    for (const args of [
      ['hosts', 'import', '--hostname', 'offline-1', '--os', 'debian:10', '--inventory', BUSTER],
      ['feeds', 'import', 'debian-dsa', DSA],
      ['feeds', 'status'],
    ]) {
      const r = await run([...args, '--data-dir', dataDir]);
      expect(r.status, r.stderr).toBe(1);
      expect(r.stderr).toContain('PL_STORE_IN_USE');
      expect(r.stderr).toContain('patchloop server');
      expect(r.stderr).toContain(`--server ${server.url} --token`);
      expect(r.stdout).toBe('');
    }
  });

  it('a second server on the same data directory says why and exits', async () => {
    const r = await run(['server', '--data-dir', dataDir, '--port', '0']);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('PL_STORE_IN_USE');
  });

  it('a second server on the same port says why and exits', async () => {
    const port = new URL(server.url).port;
    const t0 = Date.now();
    const r = await run(['server', '--data-dir', tempDir('other'), '--port', port]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('PL_PORT_IN_USE');
    expect(r.stderr).not.toMatch(/at .*\.js:\d+/); // a message, not a stack trace
    expect(Date.now() - t0).toBeLessThan(30_000);
  });

  it('the same commands sent with --server reach the running server', async () => {
    const remote = ['--server', server.url, '--token', ADMIN];
    // Exit 3 and the skipped record named, exactly as offline (DSA-423's line is malformed upstream).
    let r = await run(['feeds', 'import', 'debian-dsa', DSA, ...remote]);
    expect(r.status, r.stderr).toBe(3);
    expect(r.stdout).toMatch(/^debian-dsa: imported [1-9]\d*, skipped 1, unchanged 0/);
    expect(r.stderr).toContain('skipped DSA-list.txt DSA-423: PL_FEED_VERSION_INVALID');
    // A directory is packed and sent whole: the server imports what an offline import would.
    r = await run(['feeds', 'import', 'osv', ALMA, ...remote]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^osv: imported [1-9]\d*/);
    r = await run([
      'hosts',
      'import',
      '--hostname',
      'offline-1',
      '--os',
      'debian:10',
      '--inventory',
      BUSTER,
      ...remote,
    ]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^host \d+ offline-1: \d+ packages, [1-9]\d* findings/);
    r = await run(['feeds', 'status', '--format', 'json', ...remote]);
    expect(r.status, r.stderr).toBe(0);
    // The token may also come from the environment.
    r = await run(['feeds', 'status', '--server', server.url], { PATCHLOOP_TOKEN: ADMIN });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/debian-dsa\s+[1-9]\d*/);
    const api = client(server.url, ADMIN);
    const hosts = await api<Hosts>('/api/v1/hosts?q=offline-1');
    expect(hosts.items.map((h) => h.hostname)).toEqual(['offline-1']);
    expect(hosts.items[0]!.packageCount).toBe(91);
    const audit = await api<{ items: { action: string; actor: string }[] }>('/api/v1/audit?limit=20');
    expect(audit.items.map((a) => a.action)).toEqual(expect.arrayContaining(['host.import', 'feed.import']));
  });

  it('after a clean stop, a kill and restarts the store opens with everything in it', async () => {
    expect(await server.stop('SIGTERM')).toBe(0);
    // With the server gone, the store is free for offline commands again.
    const status = await run(['feeds', 'status', '--data-dir', dataDir]);
    expect(status.status, status.stderr).toBe(0);
    expect(status.stdout).toMatch(/osv\s+[1-9]\d*/);
    server = await startServer(['--data-dir', dataDir], ENV);
    // Killed without a chance to clean up: its lock is left behind, and taken over.
    await server.stop('SIGKILL');
    server = await startServer(['--data-dir', dataDir], ENV);
    const api = client(server.url, ADMIN);
    const hosts = await waitFor('the imported host', async () => {
      const h = await api<Hosts>('/api/v1/hosts?q=offline-1');
      return h.total === 1 ? h : null;
    });
    expect(hosts.items[0]!.packageCount).toBe(91);
    const feeds = await api<Feeds>('/api/v1/feeds');
    expect(feeds.items.find((f) => f.source === 'debian-dsa')?.records).toBeGreaterThan(1000);
  }, 120_000);
});
