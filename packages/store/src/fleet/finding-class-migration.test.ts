/**
 * Migration 0021 on a store the previous release wrote (its links written,
 * then 0021 taken back: the columns dropped): hosts already assessed get a
 * finding class and open counts from their open links (equal links, equal
 * class; another risk score, another class; no findings, the empty class),
 * hosts never assessed none; the next assessment writes its own.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS } from '../../test/backends.js';
import { testFinding } from '../../test/findings.js';
import type { Db } from '../db.js';
import { migrate } from '../migrate.js';
import { syncHostFindings, type StoredFinding } from './findings.js';
import { insertHost, recordAssessment } from './hosts.js';

const T0 = new Date('2026-10-01T08:00:00Z');

const stored = (advisory: string, pkg: string, score: number): StoredFinding => {
  const f = testFinding(advisory, pkg, '1.0');
  return {
    finding: f,
    json: JSON.parse(JSON.stringify(f)) as Record<string, unknown>,
    risk: { score, priority: 'P3', detail: { factors: [], explanation: `Risk ${score}` } },
  };
};

describe.each(BACKENDS)('finding class migration 0021 on $name', (backend) => {
  let db: Db;
  let done: () => Promise<void>;
  const ids: Record<string, number> = {};
  const classOf = async (name: string) =>
    (await db.query<{ c: string | null }>('SELECT finding_class AS c FROM host WHERE id = $1', [ids[name]]))
      .rows[0]?.c;

  beforeAll(async () => {
    ({ db, done } = await backend.openEmpty());
    await migrate(db);
    for (const name of ['a', 'b', 'c', 'd', 'e']) {
      ids[name] = (
        await insertHost(db, {
          machineId: `machine-class-${name}-01`,
          hostname: name,
          transport: 'agent',
          tags: [],
          now: T0,
        })
      ).id;
    }
    const list = (score: number) => [stored('DSA-0001', 'openssl', score), stored('DSA-0002', 'bash', 40)];
    for (const [name, score] of [
      ['a', 70],
      ['b', 70],
      ['c', 71],
    ] as const) {
      await syncHostFindings(db, ids[name] as number, list(score), T0);
    }
    for (const name of ['a', 'b', 'c', 'd']) {
      await recordAssessment(db, ids[name] as number, { eol: null, counts: {}, now: T0, error: null });
    }
    // The previous release's store: no 0021.
    await db.query('ALTER TABLE host DROP COLUMN finding_class, DROP COLUMN open_counts');
    await db.query('DELETE FROM schema_migrations WHERE version = 21');
    expect(await migrate(db)).toEqual([21]);
  }, 60_000);
  afterAll(() => done());

  it('gives assessed hosts a class from their open links', async () => {
    expect(await classOf('a')).toMatch(/^m[0-9a-f]{32}$/);
    expect(await classOf('b')).toBe(await classOf('a'));
    expect(await classOf('c')).not.toBe(await classOf('a'));
    expect(await classOf('d')).toMatch(/^m[0-9a-f]{32}$/);
    expect(await classOf('d')).not.toBe(await classOf('a'));
    expect(await classOf('e')).toBeNull();
  });

  it('counts their open links as the assessment would', async () => {
    const counts = async (name: string) =>
      (await db.query<{ c: unknown }>('SELECT open_counts AS c FROM host WHERE id = $1', [ids[name]])).rows[0]
        ?.c;
    expect(await counts('a')).toEqual({ total: 2, kev: 0, 'p:P3': 2 });
    expect(await counts('d')).toEqual({ total: 0, kev: 0 });
    expect(await counts('e')).toBeNull();
  });

  it('has the next assessment write its own class', async () => {
    const r = await syncHostFindings(
      db,
      ids.b as number,
      [stored('DSA-0001', 'openssl', 70), stored('DSA-0002', 'bash', 40)],
      T0,
    );
    expect(r.updated + r.opened + r.resolved).toBe(0);
    expect(r.openCounts).toEqual({ total: 2, kev: 0, 'p:P3': 2 });
    expect(await classOf('b')).toBe(r.findingClass);
    expect(r.findingClass).toMatch(/^[\w-]{27}$/);
  });
});
