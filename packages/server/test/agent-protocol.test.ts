import { parseInventoryCsv, type InstalledPackage } from '@patchloop/core';
import { loadHostPackages } from '@patchloop/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  checkin,
  DEBIAN_OS,
  enrollHost,
  facts,
  fullCheckin,
  hashOf,
  wire,
} from '@patchloop/test-support/agent-protocol';
import { BACKEND_NAMES, readFixture, startHarness, type Harness } from './harness.js';

const DEBIAN = DEBIAN_OS.buster;

describe.each(BACKEND_NAMES)('agent protocol on %s', (backend) => {
  let h: Harness;
  let inventory: InstalledPackage[];
  beforeAll(async () => {
    h = await startHarness(backend);
    inventory = [...parseInventoryCsv(readFixture('inventories/normalized/debian-buster.csv')).packages];
  });
  afterAll(() => h.close());

  it('enrolls with the shared secret only', async () => {
    const bad = await h.app.inject({
      method: 'POST',
      url: '/api/v1/enroll',
      payload: {
        secret: 'wrong-secret-0123456789',
        machineId: 'machine-x-00000001',
        hostname: 'x',
        tags: [],
      },
    });
    expect(bad.statusCode).toBe(401);
    expect(bad.json().error.code).toBe('PL_ENROLL_SECRET_INVALID');
    const garbled = await h.app.inject({ method: 'POST', url: '/api/v1/enroll', payload: { secret: 'x' } });
    expect(garbled.statusCode).toBe(400);
    expect(garbled.json().error.code).toBe('PL_REQUEST_INVALID');
    expect((await h.db.query('SELECT 1 FROM host')).rows).toHaveLength(0);
  });

  it('takes a full inventory, then hashes only, then diffs; re-enrollment keeps the host', async () => {
    const e = await enrollHost(h.app, 'machine-a-00000001', 'web-1', ['linux', 'pilot']);
    expect(e.inventoryHash).toBeNull();
    const f = facts('web-1', DEBIAN);
    const first = await checkin(h.app, e.credential, fullCheckin('machine-a-00000001', f, 'dpkg', inventory));
    expect(first.statusCode).toBe(200);
    const hash1 = hashOf('dpkg', inventory, []);
    // With no pinned job signing key (no jobKeyId sent), the answer also carries the key to pin.
    const { jobSigningKey, ...answer } = first.json() as { jobSigningKey?: { keyId: string } };
    expect(answer).toEqual({ acknowledged: hash1, needFull: false, nextCheckinSeconds: 60 });
    expect(jobSigningKey?.keyId).toMatch(/^[0-9a-f]{32}$/);
    expect((await loadHostPackages(h.db, e.hostId)).length).toBe(inventory.length);

    // Heartbeat: the hash alone.
    const same = await checkin(h.app, e.credential, {
      agentVersion: '0.1.0',
      machineId: 'machine-a-00000001',
      facts: f,
      inventory: { kind: 'same', hash: hash1 },
    });
    expect(same.json()).toMatchObject({ acknowledged: hash1, needFull: false });

    // A diff: openssl upgraded, one package removed, one added.
    const gzip = inventory.find((p) => p.name === 'gzip')!;
    const removed = inventory.find((p) => p.name === 'bash')!;
    const upgraded = { ...gzip, version: '1.9-3+deb10u1', sourceVersion: '1.9-3+deb10u1' };
    const added: InstalledPackage = {
      name: 'htop',
      version: '2.2.0-1+b1',
      arch: 'amd64',
      sourceName: 'htop',
      sourceVersion: '2.2.0-1',
      vendor: null,
    };
    const next = [...inventory.filter((p) => p !== gzip && p !== removed), upgraded, added];
    const hash2 = hashOf('dpkg', next, []);
    const diff = await checkin(h.app, e.credential, {
      agentVersion: '0.1.0',
      machineId: 'machine-a-00000001',
      facts: f,
      inventory: {
        kind: 'diff',
        base: hash1,
        hash: hash2,
        manager: 'dpkg',
        added: wire([upgraded, added]),
        removed: [{ name: removed.name, arch: removed.arch ?? '' }],
        updates: [],
      },
    });
    expect(diff.json()).toMatchObject({ acknowledged: hash2, needFull: false });
    const stored = await loadHostPackages(h.db, e.hostId);
    expect(stored.find((p) => p.name === 'gzip')?.version).toBe('1.9-3+deb10u1');
    expect(stored.some((p) => p.name === removed.name)).toBe(false);
    expect(stored.length).toBe(inventory.length);

    // A diff against a base the server does not hold: asked for the full inventory, nothing changes.
    const stale = await checkin(h.app, e.credential, {
      agentVersion: '0.1.0',
      machineId: 'machine-a-00000001',
      facts: f,
      inventory: {
        kind: 'diff',
        base: hash1,
        hash: hash1,
        manager: 'dpkg',
        added: [],
        removed: [],
        updates: [],
      },
    });
    expect(stale.json()).toMatchObject({ acknowledged: hash2, needFull: true });

    // Re-enrollment (proved with the current credential): same host, new credential, old one refused.
    const again = await enrollHost(h.app, 'machine-a-00000001', 'web-1', ['dmz'], {
      credential: e.credential,
    });
    expect(again.hostId).toBe(e.hostId);
    expect(again.inventoryHash).toBe(hash2);
    const old = await checkin(h.app, e.credential, {
      agentVersion: '0.1.0',
      machineId: 'machine-a-00000001',
      facts: f,
      inventory: { kind: 'same', hash: hash2 },
    });
    expect(old.statusCode).toBe(401);
    const host = await h.app.inject({
      method: 'GET',
      url: `/api/v1/hosts/${e.hostId}`,
      headers: h.auth('auditor'),
    });
    expect(host.json()).toMatchObject({
      hostname: 'web-1',
      tags: ['dmz', 'linux', 'pilot'],
      packageCount: inventory.length,
      os: DEBIAN,
    });
  });

  it("rejects garbled inventories and other hosts' data, storing nothing", async () => {
    const a = await enrollHost(h.app, 'machine-b-00000001', 'db-1');
    await enrollHost(h.app, 'machine-c-00000001', 'db-2');
    const f = facts('db-1', DEBIAN);
    const body = fullCheckin('machine-b-00000001', f, 'dpkg', inventory);
    const wrongHash = { ...body, inventory: { ...body.inventory, hash: 'a'.repeat(64) } };
    const r1 = await checkin(h.app, a.credential, wrongHash);
    expect([r1.statusCode, r1.json().error.code]).toEqual([400, 'PL_CHECKIN_INVENTORY_INVALID']);
    const twice = fullCheckin('machine-b-00000001', f, 'dpkg', [...inventory, inventory[0]!]);
    const r2 = await checkin(h.app, a.credential, twice);
    expect([r2.statusCode, r2.json().error.code]).toEqual([400, 'PL_CHECKIN_INVENTORY_INVALID']);
    const other = await checkin(h.app, a.credential, fullCheckin('machine-c-00000001', f, 'dpkg', inventory));
    expect([other.statusCode, other.json().error.code]).toEqual([403, 'PL_AGENT_HOST_MISMATCH']);
    const unknown = await checkin(h.app, 'pla_notacredential', body);
    expect([unknown.statusCode, unknown.json().error.code]).toEqual([401, 'PL_AUTH_REQUIRED']);
    const junk = await checkin(h.app, a.credential, {
      agentVersion: '0.1.0',
      machineId: 'machine-b-00000001',
      facts: f,
      inventory: { kind: 'full', packages: 'x' },
    });
    expect(junk.statusCode).toBe(400);
    const huge = await h.app.inject({
      method: 'POST',
      url: '/api/v1/agent/checkin',
      headers: { authorization: `Bearer ${a.credential}`, 'content-type': 'application/json' },
      payload: `{"pad":"${'x'.repeat(33 * 1024 * 1024)}"}`,
    });
    expect([huge.statusCode, huge.json().error.code]).toEqual([413, 'PL_PAYLOAD_TOO_LARGE']);
    const stored = await h.db.query('SELECT 1 FROM host_package WHERE host_id = $1', [a.hostId]);
    expect(stored.rows).toHaveLength(0);
    // An admin token is not an agent credential.
    const asAdmin = await checkin(h.app, h.tokens.admin, body);
    expect(asAdmin.statusCode).toBe(403);
  });
});
