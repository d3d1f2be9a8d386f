/**
 * The server killed with SIGKILL in the middle of its work (issue 15, the
 * standing suite): during a feed upload's import, while many hosts wait to
 * be assessed, and with a deployment running; then started again on the same
 * store, the embedded one (its lock left behind by the killed process is
 * taken over) and PostgreSQL. It must serve again by itself and lose nothing
 * it acknowledged: an import is there in full or not at all and never shown
 * as still running, every acknowledged inventory is stored, and a
 * deployment whose agents never come back can still be ended. (Not asserted:
 * that every host is assessed soon after the restart. An assess-host job the
 * killed process had claimed waits out its 5-minute lease, so a host can stay
 * "not assessed" for minutes; whether one is caught mid-run depends on timing.)
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { DEBIAN_OS } from '@patchloop/test-support/agent-protocol';
import { canonicalInventory, type InstalledPackage } from '@patchloop/core';
import { createDatabase } from '@patchloop/test-support/pg';
import {
  client,
  csvPackages,
  fixtures,
  type Proc,
  startServer,
  tempDir,
  waitFor,
  wirePackages,
} from '../fleet-lab.js';

const ADMIN = 'kill-admin-token-0123456789';
const SECRET = 'kill-enroll-secret-0123456789';
const HOSTS = 24;
const BUSTER = DEBIAN_OS.buster;

interface Feeds {
  items: { source: string; records: number; running: unknown; lastStatus: string | null }[];
}

describe.each(['pglite', 'postgres'] as const)('the server killed with SIGKILL on %s', (backend) => {
  const dir = tempDir(`kill-${backend}`);
  const env: Record<string, string> = {
    PATCHLOOP_ADMIN_TOKEN: ADMIN,
    PATCHLOOP_ENROLL_SECRET: SECRET,
    PATCHLOOP_FEED_SYNC_INTERVAL: '0',
    PATCHLOOP_CHECKIN_INTERVAL: '1s',
    PATCHLOOP_LOG_LEVEL: 'warn',
  };
  const args = backend === 'pglite' ? ['--data-dir', join(dir, 'data')] : [];
  let server: Proc & { url: string };
  let api: ReturnType<typeof client>;

  beforeAll(async () => {
    if (backend === 'postgres') {
      env.PATCHLOOP_DATABASE_URL = await createDatabase(inject('pgUrl'), `kill_${process.pid}`);
    }
    server = await startServer(args, env);
    api = client(server.url, ADMIN);
  }, 120_000);
  afterAll(async () => {
    await server?.stop('SIGKILL');
  });

  /** Kills the server at once, starts it again on the same store, and waits until it is ready. */
  async function killAndRestart() {
    expect(await server.stop('SIGKILL')).toBeNull();
    server = await startServer(args, env);
    api = client(server.url, ADMIN);
    await waitFor('the restarted server to be ready', async () => (await fetch(`${server.url}/readyz`)).ok);
  }

  const upload = (source: string, file: string, name: string) =>
    fetch(`${server.url}/api/v1/feeds/${source}/import?name=${name}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/octet-stream' },
      body: readFileSync(join(fixtures, file)),
    });
  const feed = async (source: string) =>
    (await api<Feeds>('/api/v1/feeds')).items.find((f) => f.source === source);

  it('during a feed import: the import is there in full or not at all, and not left running', async () => {
    const dsa = await upload('debian-dsa', 'debian-security-tracker/DSA-list.txt', 'list');
    expect(dsa.status, await dsa.clone().text()).toBe(200);
    const dsaRecords = (await feed('debian-dsa'))?.records ?? 0;
    expect(dsaRecords).toBeGreaterThan(1000);

    // The DLA list's import is killed once it is under way.
    const pending = upload('debian-dla', 'debian-security-tracker/DLA-list.txt', 'list').catch(
      (e: unknown) => e,
    );
    await waitFor('the DLA import to run', async () => (await feed('debian-dla'))?.running, 30_000).catch(
      () => null,
    );
    await killAndRestart();
    const answer = await pending;
    const acknowledged = answer instanceof Response && answer.ok;

    const after = await feed('debian-dla');
    expect(after?.running ?? null).toBeNull();
    expect((await feed('debian-dsa'))?.records).toBe(dsaRecords);
    // Imported again from the start: the full count, which the killed import had in full or not at all.
    const again = await upload('debian-dla', 'debian-security-tracker/DLA-list.txt', 'list');
    expect(again.status, await again.clone().text()).toBe(200);
    const full = (await feed('debian-dla'))?.records ?? 0;
    expect(full).toBeGreaterThan(100);
    expect([0, full]).toContain(after?.records);
    if (acknowledged) expect(after?.records).toBe(full);
  }, 180_000);

  it('during assessment of many hosts: every acknowledged inventory is stored after the restart', async () => {
    const packages: InstalledPackage[] = wirePackages(csvPackages('debian-buster.csv').slice(0, 120));
    const hash = createHash('sha256')
      .update(canonicalInventory('dpkg', packages, []))
      .digest('hex');
    const ids: number[] = [];
    for (let i = 0; i < HOSTS; i++) {
      const machineId = `${i}`.padStart(32, 'k');
      const e = await api<{ hostId: number; credential: string }>('/api/v1/enroll', {
        method: 'POST',
        body: JSON.stringify({ secret: SECRET, machineId, hostname: `kill-${i}`, tags: [] }),
      });
      const r = await fetch(`${server.url}/api/v1/agent/checkin`, {
        method: 'POST',
        headers: { authorization: `Bearer ${e.credential}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          agentVersion: '0.1.0',
          machineId,
          facts: {
            hostname: `kill-${i}`,
            os: BUSTER,
            arch: 'x86_64',
            kernel: { running: null, newestInstalled: null },
            reboot: { required: false, reasons: [], packages: [] },
          },
          inventory: { kind: 'full', hash, manager: 'dpkg', packages, updates: [] },
        }),
      });
      expect(((await r.json()) as { acknowledged: string }).acknowledged).toBe(hash);
      ids.push(e.hostId);
    }
    // Killed with assessments queued or running.
    await killAndRestart();
    for (const id of ids) {
      const host = await api<{ packageCount: number }>(`/api/v1/hosts/${id}`);
      expect([id, host.packageCount]).toEqual([id, packages.length]);
    }
  }, 180_000);

  it('during a deployment: it ends (or can be ended) after the restart, not left hanging', async () => {
    const hosts = await api<{ items: { id: number }[] }>('/api/v1/hosts?q=kill-&limit=3');
    const d = await api<{ id: number; status: string }>('/api/v1/deployments', {
      method: 'POST',
      body: JSON.stringify({
        hosts: hosts.items.map((h) => h.id),
        packages: [{ name: 'zlib1g', version: '1:1.2.11.dfsg-1+deb10u2' }],
        timeoutSeconds: 10,
        deadlineHours: 0.002,
      }),
    });
    await killAndRestart();
    const ended = await waitFor(
      'the deployment to end',
      async () => {
        const now = await api<{ status: string }>(`/api/v1/deployments/${d.id}`);
        return ['completed', 'failed', 'cancelled', 'halted'].includes(now.status) ? now : null;
      },
      20_000,
    ).catch(() => null);
    if (ended === null) {
      // Still waiting for agents that never come: it must at least be cancellable.
      const cancel = await api<{ status: string }>(`/api/v1/deployments/${d.id}/cancel`, { method: 'POST' });
      expect(['cancelled', 'cancelling']).toContain(cancel.status);
    }
    const final = await api<{ status: string }>(`/api/v1/deployments/${d.id}`);
    expect(['completed', 'failed', 'cancelled', 'cancelling', 'halted']).toContain(final.status);
  }, 180_000);
});
