/**
 * Heartbeats written in batches (services/heartbeats.ts): check-ins arriving while one statement is
 * written go together in the next, and each still gets its own host's answer — a retired host and
 * another machine's credential get none, in the same batch as live hosts.
 */
import { enrollHost } from '@patchloop/test-support/agent-protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Queryable } from '@patchloop/store';
import { HeartbeatWriter } from '../src/services/heartbeats.js';
import { BACKEND_NAMES, startHarness, type Harness } from './harness.js';

describe.each(BACKEND_NAMES)('heartbeat batches on %s', (backend) => {
  let h: Harness;
  const hosts: { id: number; machine: string }[] = [];
  beforeAll(async () => {
    h = await startHarness(backend);
    for (let i = 0; i < 5; i++) {
      const machine = `machine-heartbeat-${i}-0001`;
      const e = await enrollHost(h.app, machine, `beat-${i}`);
      hosts.push({ id: e.hostId, machine });
    }
    const retire = await h.app.inject({
      method: 'POST',
      url: `/api/v1/hosts/${hosts[4]!.id}/retire`,
      headers: h.auth('operator'),
      payload: { reason: 'heartbeat test' },
    });
    expect(retire.statusCode, retire.body).toBe(200);
  }, 60_000);
  afterAll(() => h.close());

  it('writes the check-ins that arrive meanwhile in one statement, each with its own answer', async () => {
    const statements: string[] = [];
    const counting: Queryable = {
      query: (sql: string, params?: readonly unknown[]) => {
        statements.push(sql);
        return h.db.query(sql, params);
      },
    } as Queryable;
    const writer = new HeartbeatWriter(() => counting);
    const at = new Date('2026-12-01T10:00:00Z');
    const calls = [];
    for (let round = 0; round < 10; round++) {
      for (const [i, x] of hosts.entries()) {
        // Host 3 also checks in with another machine's id.
        const machine = i === 3 && round % 2 === 1 ? hosts[0]!.machine : x.machine;
        calls.push({ i, machine, p: writer.record(x.id, machine, new Date(at.getTime() + round * 1000)) });
      }
    }
    const answers = await Promise.all(calls.map((c) => c.p));
    // The first alone (nothing was being written), the 49 others together.
    expect(statements).toHaveLength(2);
    calls.forEach((c, k) => {
      const live = c.i < 4 && c.machine === hosts[c.i]!.machine;
      expect([c.i, c.machine, answers[k] === null]).toEqual([c.i, c.machine, !live]);
    });
    const seen = await h.db.query<{ id: number; last_seen: Date | null }>(
      'SELECT id, last_seen FROM host WHERE id = ANY($1::bigint[]) ORDER BY id',
      [hosts.map((x) => x.id)],
    );
    const last = new Date(at.getTime() + 9000).getTime();
    // Host 3's last round came with another machine's id: its last heartbeat is the round before.
    expect(seen.rows.slice(0, 4).map((r) => new Date(r.last_seen as Date).getTime())).toEqual([
      last,
      last,
      last,
      last - 1000,
    ]);
    // The retired host was not seen.
    expect(new Date(seen.rows[4]!.last_seen as Date).getTime()).toBeLessThan(at.getTime());
  });
});
