/**
 * Bulk tagging (POST /api/v1/hosts/tags): all or nothing, one `host.edit`
 * audit event and one queued re-assessment per host changed, as PATCH does;
 * and a host's audit trail under `target=host:<id>`.
 */
import type { HostSummary } from '@patchloop/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enrollHost } from '@patchloop/test-support/agent-protocol';
import { BACKEND_NAMES, startHarness, type Harness } from './harness.js';

interface AuditItem {
  actor: string;
  action: string;
  target: string;
  before: unknown;
  after: unknown;
  at: string;
}

describe.each(BACKEND_NAMES)('bulk tagging on %s', (backend) => {
  let h: Harness;
  let clock = Date.parse('2030-05-01T10:00:00Z');
  const ids: number[] = [];

  const post = (payload: unknown, role: 'admin' | 'operator' | 'auditor' = 'operator') =>
    h.app.inject({
      method: 'POST',
      url: '/api/v1/hosts/tags',
      headers: { ...h.auth(role), 'content-type': 'application/json' },
      payload: JSON.stringify(payload),
    });
  const tags = async () => {
    const r = await h.app.inject({
      method: 'GET',
      url: '/api/v1/hosts?limit=1000',
      headers: h.auth('auditor'),
    });
    return Object.fromEntries((r.json().items as HostSummary[]).map((x) => [x.hostname, x.tags]));
  };
  const audit = async (query: string) => {
    const r = await h.app.inject({
      method: 'GET',
      url: `/api/v1/audit?${query}`,
      headers: h.auth('auditor'),
    });
    expect(r.statusCode).toBe(200);
    return r.json() as { items: AuditItem[]; total: number };
  };
  const queued = async () =>
    (
      await h.db.query<{ k: string }>(
        "SELECT singleton_key AS k FROM job WHERE kind = 'assess-host' AND status = 'queued' ORDER BY k",
      )
    ).rows.map((r) => r.k);

  beforeAll(async () => {
    h = await startHarness(backend, { now: () => new Date(clock) });
    for (const [name, t] of [
      ['h1', ['web', 'old']],
      ['h2', ['db']],
      ['h3', ['pci', 'web']],
      ['h4', []],
    ] as const) {
      ids.push((await enrollHost(h.app, `machine-${name}-0001`, name, [...t])).hostId);
    }
    await h.worker.drain();
  });
  afterAll(() => h.close());

  it('adds and removes tags on many hosts in one call, auditing and re-assessing each host changed', async () => {
    clock += 1000;
    const [h1, h2, h3, h4] = ids as [number, number, number, number];
    const r = await post({ hostIds: [h1, h2, h3], add: ['pci', 'site:ber'], remove: ['old'] });
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json()).toEqual({ updated: 3 });
    expect(await tags()).toEqual({
      h1: ['pci', 'site:ber', 'web'],
      h2: ['db', 'pci', 'site:ber'],
      h3: ['pci', 'site:ber', 'web'],
      h4: [],
    });
    const edits = await audit('action=host.edit');
    expect(edits.total).toBe(3);
    expect(edits.items.find((e) => e.target === `host:${h1}`)).toEqual({
      seq: expect.any(Number),
      hash: expect.any(String),
      actor: 'token:test-operator',
      action: 'host.edit',
      target: `host:${h1}`,
      before: { tags: ['old', 'web'] },
      after: { tags: ['pci', 'site:ber', 'web'] },
      at: new Date(clock).toISOString(),
    });
    expect(await queued()).toEqual([h1, h2, h3].map((id) => `assess-host:${id}`).sort());
    // The filters see the new tags at once.
    const pci = await h.app.inject({
      method: 'GET',
      url: '/api/v1/hosts?tag=pci',
      headers: h.auth('auditor'),
    });
    expect(pci.json().total).toBe(3);

    // Hosts that already are as asked are not changed, audited or re-assessed.
    await h.worker.drain();
    const again = await post({ hostIds: [h1, h3, h4], add: ['web'], remove: ['db'] }, 'admin');
    expect(again.json()).toEqual({ updated: 1 });
    expect((await tags()).h4).toEqual(['web']);
    expect((await audit('action=host.edit')).total).toBe(4);
    expect(await queued()).toEqual([`assess-host:${h4}`]);
    const removeOnly = await post({ hostIds: [h4], remove: ['web'] });
    expect([removeOnly.statusCode, removeOnly.json()]).toEqual([200, { updated: 1 }]);
  });

  it('refuses unknown hosts, naming them, and changes nothing', async () => {
    const before = await tags();
    const events = (await audit('action=host.edit')).total;
    const r = await post({ hostIds: [ids[0], 999_999, ids[1], 999_998], add: ['never'] });
    expect(r.statusCode).toBe(404);
    expect(r.json().error).toMatchObject({ code: 'PL_NOT_FOUND', details: { hostIds: [999_998, 999_999] } });
    expect(r.json().error.message).toContain('999998, 999999');
    expect(await tags()).toEqual(before);
    expect((await audit('action=host.edit')).total).toBe(events);
  });

  it('validates the request', async () => {
    const h1 = ids[0] as number;
    for (const [what, payload] of [
      ['no tags to add or remove', { hostIds: [h1] }],
      ['both empty', { hostIds: [h1], add: [], remove: [] }],
      ['no hosts', { hostIds: [], add: ['x'] }],
      ['repeated host', { hostIds: [h1, h1], add: ['x'] }],
      ['host id not positive', { hostIds: [0], add: ['x'] }],
      ['host id not an integer', { hostIds: ['1'], add: ['x'] }],
      ['too many hosts', { hostIds: Array.from({ length: 1001 }, (_, i) => i + 1), add: ['x'] }],
      ['bad tag', { hostIds: [h1], add: ['has space'] }],
      ['unknown field', { hostIds: [h1], add: ['x'], set: ['y'] }],
      ['added and removed', { hostIds: [h1], add: ['x', 'y'], remove: ['y'] }],
    ] as const) {
      const r = await post(payload);
      expect([what, r.statusCode, r.json().error.code]).toEqual([what, 400, 'PL_REQUEST_INVALID']);
    }
    expect(
      (await post({ hostIds: Array.from({ length: 1000 }, (_, i) => i + 1), add: ['x'] })).statusCode,
    ).toBe(404);
    expect((await post({ hostIds: [h1], add: ['x'] }, 'auditor')).statusCode).toBe(403);
  });

  it("lists a host's audit trail under target=host:<id>", async () => {
    // A host of its own, enrolled and bulk-tagged here, so the trail does not depend on other tests.
    const h1 = (await enrollHost(h.app, 'machine-h5-0001', 'h5', ['web'])).hostId;
    expect((await post({ hostIds: [h1], add: ['trail'] })).json()).toEqual({ updated: 1 });
    const patch = await h.app.inject({
      method: 'PATCH',
      url: `/api/v1/hosts/${h1}`,
      headers: h.auth('operator'),
      payload: { owner: 'team-web' },
    });
    expect(patch.statusCode).toBe(200);
    const trail = await audit(`target=host:${h1}`);
    expect(trail.items.map((e) => [e.action, e.target])).toEqual([
      ['host.edit', `host:${h1}`], // PATCH
      ['host.edit', `host:${h1}`], // bulk tags
      ['host.enroll', `host:${h1}`],
    ]);
    expect(trail.items[0]?.after).toEqual({ owner: 'team-web' });
    expect(trail.items[2]?.actor).toBe(`agent:${h1}`);
    // Another host's events are not in it.
    expect((await audit(`target=host:${ids[1]}`)).items.every((e) => e.target === `host:${ids[1]}`)).toBe(
      true,
    );
  });
});
