/**
 * `patchloop audit verify` end to end: a real embedded store in a temp
 * directory, events appended through the store library, the real binary.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendAudit, openStore } from '@patchloop/store';
import { patchloop } from './run.js';

let dir: string;
let dataDir: string;
const hashes: string[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'pl-audit-'));
  dataDir = join(dir, 'data');
  const db = await openStore({ dataDir });
  try {
    for (const [i, action] of ['host.enroll', 'host.edit', 'token.create'].entries()) {
      const r = await appendAudit(db, {
        actor: 'user:alice',
        action,
        target: `host:h${i}`,
        after: { i, password: 'never stored' },
        at: new Date(Date.UTC(2024, 0, 1, 0, 0, i)),
      });
      hashes.push(r.hash);
    }
  } finally {
    await db.close();
  }
}, 60_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const verify = (...extra: string[]) => patchloop(['audit', 'verify', '--data-dir', dataDir, ...extra]);

describe('patchloop audit verify', () => {
  it('reports an intact chain with its head hash (exit 0)', () => {
    const r = verify();
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe(`audit log: 3 events, chain intact, head ${hashes[2]}\n`);
    expect(r.status).toBe(0);
  });

  it('prints the verification as JSON', () => {
    const r = verify('--format', 'json');
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({
      ok: true,
      events: 3,
      problems: [],
      problemsOmitted: 0,
      head: { seq: 3, hash: hashes[2] },
    });
  });

  it('checks a head hash recorded earlier, and refuses one that is not a hash (exit 2)', () => {
    expect(verify('--expect-head', hashes[1]?.toUpperCase() ?? '').status).toBe(0);
    const missing = verify('--expect-head', 'a'.repeat(64));
    expect(missing.status).toBe(1);
    expect(missing.stdout).toContain('seq 3: PL_AUDIT_ANCHOR_MISSING');
    const bad = verify('--expect-head', 'xyz');
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('error PL_USAGE: --expect-head');
  });

  it('names a missing store without creating one (exit 1)', () => {
    const r = patchloop(['audit', 'verify', '--data-dir', join(dir, 'nowhere')]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('error PL_DB_CONFIG_INVALID');
  });

  it('reports an edited and a deleted event (exit 1)', async () => {
    const db = await openStore({ dataDir });
    try {
      await db.query(`UPDATE audit_event SET actor = 'user:mallory' WHERE seq = 1`);
      await db.query('DELETE FROM audit_event WHERE seq = 3');
    } finally {
      await db.close();
    }
    const r = verify();
    expect(r.stdout.split('\n')).toEqual([
      'seq 1: PL_AUDIT_HASH_MISMATCH: the event does not match its hash: it was edited, or moved from another position',
      'seq 3: PL_AUDIT_TRUNCATED: the log ends at seq 2 but the head records seq 3: events were deleted from the end',
      `audit log: 2 events, TAMPERED (2 problems), head ${hashes[2]}`,
      '',
    ]);
    expect(r.status).toBe(1);
  }, 60_000);
});
