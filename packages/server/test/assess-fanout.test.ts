/**
 * Incremental re-assessment (issue #17): a feed upload re-assesses only the
 * hosts its changes concern, through the real upload route, child import,
 * job worker and store, on both backends. Ten Debian 12 hosts; an advisory
 * every host is affected by; one two of them are affected by (matched by
 * source name: a third host has a *binary* of that name from another
 * source, and must not be); then a KEV entry, a CVE record, a narrower
 * version of the advisory; a risk-settings change fanned out in ranges;
 * the pruning of finished jobs.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { InstalledPackage } from '@patchloop/core';
import { importFeed } from '@patchloop/feeds';
import { createFeedStore, hostIdRanges, queueAssessAll } from '@patchloop/store';
import { checkin, DEBIAN_OS, enrollHost, facts, fullCheckin } from '@patchloop/test-support/agent-protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enrichmentFiles } from './enrichment.js';
import { startWorker } from '../src/jobs/worker.js';
import { BACKEND_NAMES, startHarness, type Harness } from './harness.js';

const pkg = (name: string, version: string, sourceName = name): InstalledPackage => ({
  name,
  version,
  arch: 'amd64',
  sourceName,
  sourceVersion: version,
  vendor: null,
});

const CVE_ALL = 'CVE-2031-1000';
const CVE_FOO = 'CVE-2031-2000';

/** An OSV record for Debian 12: `packages` (source names) fixed in `fixed`. */
const osv = (id: string, alias: string, modified: string, packages: string[], fixed: string) => ({
  id,
  modified,
  published: '2031-01-01T00:00:00Z',
  aliases: [alias],
  summary: id,
  details: '',
  affected: packages.map((name) => ({
    package: { ecosystem: 'Debian:12', name },
    ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed }] }],
  })),
});

describe.each(BACKEND_NAMES)('re-assessment after a feed import (%s)', (backend) => {
  let h: Harness;
  let clock = Date.parse('2031-02-01T08:00:00Z');
  const ids: number[] = [];
  /** A Debian 13 host, on a release the store has no advisories for. */
  let trixie = 0;

  const upload = async (source: string, name: string, body: string | Buffer) => {
    const r = await h.app.inject({
      method: 'POST',
      url: `/api/v1/feeds/${source}/import?name=${name}`,
      headers: { ...h.auth('admin'), 'content-type': 'application/octet-stream' },
      payload: body,
    });
    expect(r.statusCode, r.body).toBe(200);
    return r.json() as { imported: number };
  };
  const uploadOsv = (record: object) =>
    upload('osv', `${(record as { id: string }).id}.json`, JSON.stringify(record));

  /** When each host was last assessed. */
  const assessedAt = async () =>
    new Map(
      (
        await h.db.query<{ id: number; assessed_at: Date | null }>(
          'SELECT id, assessed_at FROM host ORDER BY id',
        )
      ).rows.map((r) => [Number(r.id), r.assessed_at?.getTime() ?? null]),
    );
  /** Every finding row, as the store holds it. */
  const findingRows = async () =>
    (
      await h.db.query<{
        id: number;
        host_id: number;
        advisory_id: string;
        kev: boolean;
        severity: string | null;
        risk_score: number | null;
        last_seen: Date;
        resolved_at: Date | null;
      }>(
        `SELECT id, host_id, advisory_id, kev, severity, risk_score, last_seen, resolved_at
         FROM finding ORDER BY id`,
      )
    ).rows.map((r) => ({ ...r, id: Number(r.id), host_id: Number(r.host_id) }));
  /** The hosts of the assess-host jobs created at `at`. */
  const hostsQueuedAt = async (at: number) =>
    (
      await h.db.query<{ host: string }>(
        `SELECT payload->>'hostId' AS host FROM job WHERE kind = 'assess-host' AND created_at = $1`,
        [new Date(at)],
      )
    ).rows
      .map((r) => Number(r.host))
      .sort((a, b) => a - b);
  /** Uploads at a new time, drains the worker; the hosts re-assessed then. */
  const step = async (run: () => Promise<unknown>) => {
    clock += 3_600_000;
    const at = clock;
    await run();
    await h.worker.drain();
    const after = await assessedAt();
    return {
      at,
      assessed: [...after].filter(([, t]) => t === at).map(([id]) => id),
    };
  };

  beforeAll(async () => {
    h = await startHarness(backend, { now: () => new Date(clock) });
    for (let i = 0; i < 10; i++) {
      const name = `fan-${i}`;
      const machine = `machine-fan-${String(i).padStart(4, '0')}`;
      const e = await enrollHost(h.app, machine, name);
      ids.push(e.hostId);
      const pkgs = [pkg('libc6', '2.36-9', 'glibc'), pkg('bash', '5.2.15-2')];
      // Hosts 0 and 1 run the foo source package (binary libfoo1); host 2 a binary *named* foo
      // built from another source, which Debian advisories (keyed by source) do not concern.
      if (i < 2) pkgs.push(pkg('libfoo1', '1.0-1', 'foo'));
      if (i === 2) pkgs.push(pkg('foo', '1.0-1', 'foo-tools'));
      const r = await checkin(
        h.app,
        e.credential,
        fullCheckin(machine, facts(name, DEBIAN_OS.bookworm), 'dpkg', pkgs),
      );
      expect(r.statusCode, r.body).toBe(200);
    }
    const e = await enrollHost(h.app, 'machine-fan-trixie', 'fan-trixie');
    trixie = e.hostId;
    const body = fullCheckin('machine-fan-trixie', facts('fan-trixie', DEBIAN_OS.trixie), 'dpkg', [
      pkg('bash', '5.2.37-1'),
    ]);
    expect((await checkin(h.app, e.credential, body)).statusCode).toBe(200);
    await h.worker.drain();
  });
  afterAll(async () => {
    await h.close();
  });

  it('an advisory re-assesses exactly the hosts it concerns; the others are not touched', async () => {
    const all = await step(() =>
      uploadOsv(osv('DEBIAN-CVE-2031-1000', CVE_ALL, '2031-01-02T00:00:00Z', ['glibc'], '2.36-10')),
    );
    // Every bookworm host has glibc; the trixie host's release has no advisory yet: not concerned.
    expect(all.assessed).toEqual(ids);
    expect(await hostsQueuedAt(all.at)).toEqual(ids);
    const before = await findingRows();
    expect(before.map((f) => f.host_id)).toEqual(ids);

    const foo = await step(() =>
      uploadOsv(osv('DEBIAN-CVE-2031-2000', CVE_FOO, '2031-01-03T00:00:00Z', ['foo'], '1.0-2')),
    );
    expect(await hostsQueuedAt(foo.at)).toEqual(ids.slice(0, 2));
    expect(foo.assessed).toEqual(ids.slice(0, 2));
    const after = await findingRows();
    const fooFindings = after.filter((f) => f.advisory_id === 'DEBIAN-CVE-2031-2000');
    expect(fooFindings.map((f) => f.host_id)).toEqual(ids.slice(0, 2));
    // The other eight hosts' finding rows are exactly as they were (not even last_seen written).
    const others = (rows: typeof after) => rows.filter((f) => !ids.slice(0, 2).includes(f.host_id));
    expect(others(after)).toEqual(others(before));
  });

  it('a KEV entry and a CVE record re-score only the hosts with findings of that CVE', async () => {
    const files = enrichmentFiles(CVE_FOO, CVE_FOO);
    const kev = await step(() => upload('kev', 'kev.json', readFileSync(files.kev)));
    expect(kev.assessed).toEqual(ids.slice(0, 2));
    const rows = await findingRows();
    expect(rows.filter((f) => f.kev).map((f) => [f.host_id, f.advisory_id])).toEqual(
      ids.slice(0, 2).map((id) => [id, 'DEBIAN-CVE-2031-2000']),
    );

    const cve = await step(() => upload('cve', 'cve.jsonl', readFileSync(files.cve)));
    expect(cve.assessed).toEqual(ids.slice(0, 2));
    const scored = (await findingRows()).filter((f) => f.advisory_id === 'DEBIAN-CVE-2031-2000');
    expect(scored.map((f) => f.severity)).toEqual(['critical', 'critical']);
  });

  it('an advisory update that drops a package resolves its findings', async () => {
    const dropped = await step(() =>
      uploadOsv(osv('DEBIAN-CVE-2031-2000', CVE_FOO, '2031-01-04T00:00:00Z', ['not-installed'], '1.0')),
    );
    expect(dropped.assessed).toEqual(ids.slice(0, 2));
    const foo = (await findingRows()).filter((f) => f.advisory_id === 'DEBIAN-CVE-2031-2000');
    expect(foo.map((f) => [f.host_id, f.resolved_at?.getTime()])).toEqual(
      ids.slice(0, 2).map((id) => [id, dropped.at]),
    );
  });

  it('the first advisories of a release reach its hosts whose assessment found none, and only them', async () => {
    const note = async () =>
      (
        await h.db.query<{ e: string | null }>('SELECT assessment_error AS e FROM host WHERE id = $1', [
          trixie,
        ])
      ).rows[0]?.e;
    expect(await note()).toMatch(/^PL_SCAN_NO_ADVISORIES/);
    const first = await step(() =>
      uploadOsv({
        ...osv('DEBIAN-CVE-2031-3000', 'CVE-2031-3000', '2031-01-05T00:00:00Z', ['zlib'], '1.3'),
        affected: [
          {
            package: { ecosystem: 'Debian:13', name: 'zlib' },
            ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '1.3' }] }],
          },
        ],
      }),
    );
    expect(first.assessed).toEqual([trixie]);
    expect(await note()).toBeNull();
  });

  it('imports no job covered (CLI, or a server killed before queueing) are caught up at the next start', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pl-fanout-cli-'));
    const file = join(dir, 'DEBIAN-CVE-2031-4000.json');
    writeFileSync(
      file,
      JSON.stringify(osv('DEBIAN-CVE-2031-4000', 'CVE-2031-4000', '2031-01-06T00:00:00Z', ['foo'], '1.0-3')),
    );
    const caught = await step(async () => {
      // As `patchloop feeds import` does, beside the running server: no job is queued.
      expect((await importFeed('osv', file, createFeedStore(h.db))).imported).toBe(1);
      await h.worker.drain();
      expect([...(await assessedAt()).values()].filter((t) => t === clock)).toEqual([]);
      // A server starting on the store.
      const restarted = startWorker(h.ctx, { autoStart: false });
      await restarted.drain();
      await restarted.stop();
    });
    rmSync(dir, { recursive: true, force: true });
    expect(caught.assessed).toEqual(ids.slice(0, 2));
    // Covered once: the next start queues nothing.
    const again = await step(async () => {
      const restarted = startWorker(h.ctx, { autoStart: false });
      await restarted.drain();
      await restarted.stop();
    });
    expect(again.assessed).toEqual([]);
  });

  it('an upload that changes nothing queues nothing', async () => {
    const same = await step(() =>
      uploadOsv(osv('DEBIAN-CVE-2031-2000', CVE_FOO, '2031-01-04T00:00:00Z', ['not-installed'], '1.0')),
    );
    expect(same.assessed).toEqual([]);
    const jobs = await h.db.query(`SELECT 1 FROM job WHERE kind LIKE 'assess-%' AND created_at = $1`, [
      new Date(same.at),
    ]);
    expect(jobs.rows).toEqual([]);
  });

  it('a risk-settings change fans out in range jobs covering every host once', async () => {
    const everyone = [...ids, trixie];
    const ranges = await hostIdRanges(h.db, 3);
    expect(ranges.map((r) => r.toId - r.fromId)).toEqual([2, 2, 2, 1]);
    expect(ranges.flatMap((r) => everyone.filter((id) => id >= r.fromId && id <= r.toId))).toEqual(everyone);

    const settings = await step(async () => {
      const r = await h.app.inject({
        method: 'PUT',
        url: '/api/v1/settings/risk',
        headers: h.auth('admin'),
        payload: { sla: { days: { P1: 3, P2: 10, P3: 30, P4: 90 } } },
      });
      expect(r.statusCode, r.body).toBe(200);
    });
    expect(settings.assessed).toEqual(everyone);
    const jobs = await h.db.query<{ kind: string; payload: { fromId: number; toId: number; after: number } }>(
      `SELECT kind, payload FROM job WHERE kind LIKE 'assess-%' AND created_at = $1 ORDER BY id`,
      [new Date(settings.at)],
    );
    expect(jobs.rows.map((j) => j.kind)).toEqual(['assess-hosts']);
    expect(jobs.rows[0]?.payload).toEqual({ fromId: ids[0], toId: trixie, after: trixie });

    // Smaller ranges: four jobs, each host assessed by exactly one of them.
    const small = await step(() => queueAssessAll(h.db, new Date(clock), 3));
    expect(small.assessed).toEqual(everyone);
    const payloads = await h.db.query<{ payload: { fromId: number; toId: number } }>(
      `SELECT payload FROM job WHERE kind = 'assess-hosts' AND created_at = $1 ORDER BY id`,
      [new Date(small.at)],
    );
    expect(payloads.rows.map((j) => [j.payload.fromId, j.payload.toId])).toEqual(
      ranges.map((r) => [r.fromId, r.toId]),
    );
  });

  it('a range job resumes after the last host it saved', async () => {
    const resumed = await step(() =>
      h.db.query(
        `INSERT INTO job (kind, payload, status, run_at, singleton_key, created_at)
         VALUES ('assess-hosts', $1::jsonb, 'queued', $2, 'assess-hosts:resume', $2)`,
        [JSON.stringify({ fromId: ids[0], toId: trixie, after: ids[6] }), new Date(clock)],
      ),
    );
    expect(resumed.assessed).toEqual([...ids.slice(7), trixie]);
  });

  it('prunes done assessments after an hour, failed jobs and feed syncs after a week', async () => {
    const now = clock + 3_600_000;
    const ago = (ms: number) => new Date(now - ms);
    const HOUR = 3_600_000;
    const rows: [string, string, Date][] = [
      ['assess-host', 'done', ago(2 * HOUR)],
      ['assess-host', 'done', ago(HOUR / 2)],
      ['assess-hosts', 'done', ago(2 * HOUR)],
      ['assess-host', 'failed', ago(2 * HOUR)],
      ['assess-host', 'failed', ago(8 * 24 * HOUR)],
      ['feed-sync', 'done', ago(2 * HOUR)],
      ['feed-sync', 'done', ago(8 * 24 * HOUR)],
    ];
    await h.db.query('DELETE FROM job');
    for (const [i, [kind, status, finished]] of rows.entries())
      await h.db.query(
        `INSERT INTO job (kind, payload, status, run_at, created_at, finished_at)
         VALUES ($1, $2::jsonb, $3, $4, $4, $4)`,
        [kind, JSON.stringify({ n: i }), status, finished],
      );
    clock = now;
    await h.worker.drain(); // the minute's expire-exceptions job prunes
    const left = await h.db.query<{ n: number }>(
      `SELECT (payload->>'n')::int AS n FROM job WHERE payload ? 'n' ORDER BY 1`,
    );
    expect(left.rows.map((r) => r.n)).toEqual([1, 3, 5]);
  });
});
