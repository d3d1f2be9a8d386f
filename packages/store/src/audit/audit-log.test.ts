import { createHash } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { BACKENDS } from '../../test/backends.js';
import type { Db } from '../db.js';
import { appendAudit, listAudit } from './audit-log.js';
import { GENESIS_HASH, canonicalJson, eventHash } from './hash.js';
import { verifyAudit, type AuditVerification } from './verify.js';

const T0 = Date.UTC(2024, 4, 1, 12, 0, 0);

/** [seq, code] of each problem, in order. */
const found = (v: AuditVerification) => v.problems.map((p) => [p.seq, p.code]);

describe.each(BACKENDS)('audit log on $name', (backend) => {
  let db: Db;
  let done: () => Promise<void>;
  beforeAll(async () => {
    ({ db, done } = await backend.open());
  });
  afterAll(() => done());
  beforeEach(async () => {
    await db.exec(`DELETE FROM audit_event; UPDATE audit_head SET seq = 0, hash = '${GENESIS_HASH}'`);
  });

  /** n events, one second apart, alternating actors. */
  async function seed(n: number) {
    const out: { seq: number; hash: string }[] = [];
    for (let i = 1; i <= n; i++) {
      out.push(
        await appendAudit(db, {
          actor: `user:u${i % 2}`,
          action: 'host.edit',
          target: `host:h${i}`,
          before: { name: `old-${i}` },
          after: { name: `new-${i}`, n: i },
          at: new Date(T0 + i * 1000),
        }),
      );
    }
    return out;
  }

  it('appends a chain from seq 1, each event hashed as documented and linked to the one before', async () => {
    const first = await appendAudit(db, {
      actor: 'user:alice',
      action: 'host.edit',
      target: 'host:web-1',
      before: { b: [2, { c: null }], a: 1 },
      at: new Date(T0),
    });
    // The documented encoding, written out by hand.
    const text = `[1,"2024-05-01T12:00:00.000Z","user:alice","host.edit","host:web-1",{"a":1,"b":[2,{"c":null}]},null,"${GENESIS_HASH}"]`;
    expect(first).toEqual({ seq: 1, hash: createHash('sha256').update(text).digest('hex') });
    const second = await appendAudit(db, { actor: 'system', action: 'feed.import', target: 'feed:kev' });
    expect(second.seq).toBe(2);

    const { items, total } = await listAudit(db, { limit: 10, offset: 0 });
    expect(total).toBe(2);
    expect(items.map((e) => e.seq)).toEqual([2, 1]);
    expect(items[0]).toMatchObject({ prevHash: first.hash, hash: second.hash, before: null, after: null });
    expect(items[1]).toMatchObject({ prevHash: GENESIS_HASH, before: { a: 1, b: [2, { c: null }] } });
    for (const e of items) expect(eventHash(e)).toBe(e.hash);
    expect(await verifyAudit(db)).toEqual({
      ok: true,
      events: 2,
      problems: [],
      problemsOmitted: 0,
      head: { seq: 2, hash: second.hash },
    });
  });

  it('reads JSON values back exactly as hashed (key order, Unicode, numbers)', async () => {
    const value = {
      z: 'ü 😀 \u2028 "quoted" \\ tab\t',
      a: [0.1, 1e21, 2 ** 53, -1.5e-7, 0, true, false, null, [], {}],
      é: { y: { x: 'deep' } },
      '': 'empty key',
    };
    await appendAudit(db, { actor: 'a', action: 'x.y', target: 't', before: value, after: [value] });
    const [e] = (await listAudit(db, { limit: 1, offset: 0 })).items;
    expect(canonicalJson(e?.before)).toBe(canonicalJson(value));
    expect((await verifyAudit(db)).ok).toBe(true);
  });

  it('lists newest first, filtered by target, action or actor, with the total', async () => {
    await seed(6);
    await appendAudit(db, { actor: 'user:u1', action: 'token.create', target: 'token:t1' });
    const all = await listAudit(db, { limit: 3, offset: 2 });
    expect(all.total).toBe(7);
    expect(all.items.map((e) => e.seq)).toEqual([5, 4, 3]);
    const byActor = await listAudit(db, { limit: 10, offset: 0, actor: 'user:u1' });
    expect(byActor.items.map((e) => e.seq)).toEqual([7, 5, 3, 1]);
    const both = await listAudit(db, { limit: 10, offset: 0, actor: 'user:u1', action: 'host.edit' });
    expect([both.total, both.items.map((e) => e.seq)]).toEqual([3, [5, 3, 1]]);
    const one = await listAudit(db, { limit: 10, offset: 0, target: 'host:h2' });
    expect(one.items).toMatchObject([{ seq: 2, before: { name: 'old-2' }, after: { name: 'new-2', n: 2 } }]);
    expect(one.items[0]?.at.toISOString()).toBe('2024-05-01T12:00:02.000Z');
    expect(await listAudit(db, { limit: 10, offset: 0, target: 'nothing' })).toEqual({ items: [], total: 0 });
  });

  it('rejects invalid events and queries', async () => {
    const ok = { actor: 'a', action: 'b', target: 'c' };
    await expect(appendAudit(db, { ...ok, actor: ' ' })).rejects.toMatchObject({
      code: 'PL_AUDIT_EVENT_INVALID',
    });
    await expect(appendAudit(db, { ...ok, at: new Date(NaN) })).rejects.toMatchObject({
      code: 'PL_AUDIT_EVENT_INVALID',
    });
    await expect(appendAudit(db, { ...ok, after: { n: 1n } })).rejects.toMatchObject({
      code: 'PL_AUDIT_EVENT_INVALID',
    });
    for (const bad of [
      { limit: 0, offset: 0 },
      { limit: 1001, offset: 0 },
      { limit: 1, offset: -1 },
    ]) {
      await expect(listAudit(db, bad)).rejects.toMatchObject({ code: 'PL_AUDIT_QUERY_INVALID' });
    }
    await expect(verifyAudit(db, { expectHead: 'abc' })).rejects.toMatchObject({
      code: 'PL_AUDIT_QUERY_INVALID',
    });
    expect((await listAudit(db, { limit: 1, offset: 0 })).total).toBe(0);
  });

  it('serialises 50 concurrent appends (own and callers’ transactions) into one contiguous chain', async () => {
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) => {
        const e = { actor: `worker:${i}`, action: 'host.edit', target: `host:${i}`, after: { i } };
        return i % 2 === 0
          ? appendAudit(db, e)
          : db.transaction(async (tx) => {
              await tx.query('SELECT count(*) FROM audit_event');
              return appendAudit(tx, e);
            });
      }),
    );
    expect(results.map((r) => r.seq).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 50 }, (_, i) => i + 1),
    );
    const v = await verifyAudit(db, { pageSize: 7 });
    expect([v.ok, v.events, v.head?.seq, v.problems]).toEqual([true, 50, 50, []]);
    expect(new Set(results.map((r) => r.hash)).size).toBe(50);
  });

  it('leaves no trace of an event appended in a rolled-back transaction', async () => {
    const [, last] = await seed(2);
    await expect(
      db.transaction(async (tx) => {
        await appendAudit(tx, { actor: 'a', action: 'host.delete', target: 'host:h1' });
        throw new Error('the change failed');
      }),
    ).rejects.toThrow('the change failed');
    expect((await listAudit(db, { limit: 10, offset: 0 })).total).toBe(2);
    expect(await verifyAudit(db)).toMatchObject({ ok: true, events: 2, head: { seq: 2, hash: last?.hash } });
    expect((await appendAudit(db, { actor: 'a', action: 'b', target: 'c' })).seq).toBe(3);
    expect((await verifyAudit(db)).ok).toBe(true);
  });

  it('redacts secrets before hashing and storing', async () => {
    await appendAudit(db, {
      actor: 'user:alice',
      action: 'token.create',
      target: 'feed:https://bob:hunter2@mirror.example/osv',
      before: { password: null },
      after: {
        name: 'ci',
        token: 'plt_abcdef',
        nested: { clientSecret: { any: 'shape' }, apiKey: 7, list: [{ Password: 'p' }] },
        url: 'https://bob:hunter2@mirror.example/osv',
        plainUrl: 'https://mirror.example/osv',
      },
    });
    const [e] = (await listAudit(db, { limit: 1, offset: 0 })).items;
    expect(e?.before).toEqual({ password: null });
    expect(e?.after).toEqual({
      name: 'ci',
      token: '[redacted]',
      nested: { clientSecret: '[redacted]', apiKey: '[redacted]', list: [{ Password: '[redacted]' }] },
      url: 'https://bob:***@mirror.example/osv',
      plainUrl: 'https://mirror.example/osv',
    });
    expect(e?.target).toBe('feed:https://bob:***@mirror.example/osv');
    const raw = await db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM audit_event WHERE (after::text || target) ~ '(hunter2|plt_abc|shape)'`,
    );
    expect(raw.rows[0]?.n).toBe(0);
    expect((await verifyAudit(db)).ok).toBe(true);
  });

  describe('detects tampering', () => {
    it('an edited event', async () => {
      await seed(5);
      await db.query(`UPDATE audit_event SET actor = 'user:mallory' WHERE seq = 3`);
      const v = await verifyAudit(db);
      expect([v.ok, v.events, found(v)]).toEqual([false, 5, [[3, 'PL_AUDIT_HASH_MISMATCH']]]);
    });

    it('an edit that survives reading the number as a double', async () => {
      await appendAudit(db, { actor: 'a', action: 'b', target: 'c', after: { n: 12345678901234567000 } });
      await db.query(`UPDATE audit_event SET after = '{"n": 12345678901234567001}'::jsonb WHERE seq = 1`);
      expect(found(await verifyAudit(db))).toEqual([[1, 'PL_AUDIT_HASH_MISMATCH']]);
    });

    it('a deleted event in the middle, also across a page boundary', async () => {
      await seed(5);
      await db.query('DELETE FROM audit_event WHERE seq = 3');
      const expected = [
        [4, 'PL_AUDIT_SEQ_GAP'],
        [4, 'PL_AUDIT_CHAIN_BROKEN'],
      ];
      expect(found(await verifyAudit(db))).toEqual(expected);
      const paged = await verifyAudit(db, { pageSize: 2 });
      expect([paged.events, found(paged)]).toEqual([4, expected]);
      expect(paged.problems[0]?.message).toContain('events 3 are missing');
    });

    it('a deleted first event', async () => {
      await seed(3);
      await db.query('DELETE FROM audit_event WHERE seq = 1');
      expect(found(await verifyAudit(db))).toEqual([
        [2, 'PL_AUDIT_SEQ_GAP'],
        [2, 'PL_AUDIT_CHAIN_BROKEN'],
      ]);
    });

    it('a deleted last event (truncated tail)', async () => {
      await seed(5);
      await db.query('DELETE FROM audit_event WHERE seq = 5');
      const v = await verifyAudit(db);
      expect(found(v)).toEqual([[5, 'PL_AUDIT_TRUNCATED']]);
      expect(v.events).toBe(4);
    });

    it('two events whose content was swapped', async () => {
      await seed(5);
      await db.query(
        `UPDATE audit_event e SET at = o.at, actor = o.actor, action = o.action, target = o.target,
                before = o.before, after = o.after, prev_hash = o.prev_hash, hash = o.hash
           FROM audit_event o WHERE (e.seq, o.seq) IN ((2, 4), (4, 2))`,
      );
      expect(found(await verifyAudit(db))).toEqual([
        [2, 'PL_AUDIT_CHAIN_BROKEN'],
        [2, 'PL_AUDIT_HASH_MISMATCH'],
        [3, 'PL_AUDIT_CHAIN_BROKEN'],
        [4, 'PL_AUDIT_CHAIN_BROKEN'],
        [4, 'PL_AUDIT_HASH_MISMATCH'],
        [5, 'PL_AUDIT_CHAIN_BROKEN'],
      ]);
    });

    it('an event inserted behind the head, and an edited or missing head', async () => {
      const [, last] = await seed(2);
      const at = new Date(T0);
      const forged = { seq: 3, at, actor: 'x', action: 'y', target: 'z', before: null, after: null };
      const hash = eventHash({ ...forged, prevHash: last?.hash ?? '' });
      await db.query(
        `INSERT INTO audit_event (seq, at, actor, action, target, prev_hash, hash) VALUES (3, $1, 'x', 'y', 'z', $2, $3)`,
        [at.toISOString(), last?.hash, hash],
      );
      expect(found(await verifyAudit(db))).toEqual([[2, 'PL_AUDIT_HEAD_MISMATCH']]);
      await db.query('UPDATE audit_head SET seq = 3, hash = $1', ['f'.repeat(64)]);
      expect(found(await verifyAudit(db))).toEqual([[3, 'PL_AUDIT_HEAD_MISMATCH']]);
      await db.query('DELETE FROM audit_head');
      const v = await verifyAudit(db);
      expect([found(v), v.head]).toEqual([[[3, 'PL_AUDIT_HEAD_MISMATCH']], null]);
      await expect(appendAudit(db, { actor: 'a', action: 'b', target: 'c' })).rejects.toMatchObject({
        code: 'PL_AUDIT_HEAD_MISMATCH',
      });
      await db.query(`INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, '${GENESIS_HASH}')`);
    });

    it('a rewritten tail only against a head hash recorded outside the database', async () => {
      const events = await seed(5);
      const recorded = events[4]?.hash ?? '';
      await db.query('DELETE FROM audit_event WHERE seq = 5');
      await db.query('UPDATE audit_head SET seq = 4, hash = $1', [events[3]?.hash]);
      // Consistent in itself: without an anchor this cannot be seen.
      expect((await verifyAudit(db)).ok).toBe(true);
      const v = await verifyAudit(db, { expectHead: recorded });
      expect(found(v)).toEqual([[4, 'PL_AUDIT_ANCHOR_MISSING']]);
      expect((await verifyAudit(db, { expectHead: events[1]?.hash ?? '' })).ok).toBe(true);
      expect((await verifyAudit(db, { expectHead: GENESIS_HASH })).ok).toBe(true);
    });

    it('many problems, keeping the first maxProblems', async () => {
      await seed(12);
      await db.query(`UPDATE audit_event SET target = 'host:forged'`);
      const v = await verifyAudit(db, { maxProblems: 5, pageSize: 4 });
      expect([v.ok, v.problems.length, v.problemsOmitted]).toEqual([false, 5, 7]);
      expect(v.problems.map((p) => p.seq)).toEqual([1, 2, 3, 4, 5]);
    });
  });
});
