import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import type { AgentJob, CheckinRequest, JobPoll, JobReport, WirePackage } from '@patchloop/contracts';
import { canonicalInventory } from '@patchloop/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dpkgCollection } from '@patchloop/test-support/agent-protocol';
import { Agent, payloadFor, snapshotOf } from './agent.js';
import type { HostCollection } from './collectors/index.js';
import { tempDir } from './collectors/testdata/fake-root.js';
import { FakeHost } from './jobs/testdata/fake-host.js';
import { TestSigner } from './jobs/testdata/signer.js';
import { stubServer } from './jobs/testdata/stub-server.js';
import { localRunner } from './runner/index.js';
import { StateDir } from './state/state-dir.js';

const pkg = (name: string, version: string): WirePackage => ({
  name,
  version,
  arch: 'amd64',
  sourceName: name,
  sourceVersion: version,
  vendor: null,
});

const BOOKWORM = { id: 'debian', versionId: '12', codename: 'bookworm', prettyName: null };

function collection(packages: WirePackage[]): HostCollection {
  return dpkgCollection({
    machineId: 'abcdef0123456789abcdef0123456789',
    hostname: 'h1',
    os: BOOKWORM,
    packages,
  });
}

describe('payloadFor', () => {
  const v1 = snapshotOf(collection([pkg('bash', '5.2-1'), pkg('gzip', '1.12-1'), pkg('tar', '1.34-1')]));

  it('sends everything first, the hash alone when nothing changed, a diff otherwise', () => {
    expect(payloadFor(v1, null)).toMatchObject({ kind: 'full', hash: v1.hash, packages: v1.packages });
    expect(payloadFor(v1, v1)).toEqual({ kind: 'same', hash: v1.hash });
    const v2 = snapshotOf(collection([pkg('bash', '5.2-2'), pkg('gzip', '1.12-1'), pkg('curl', '7.88-1')]));
    const d = payloadFor(v2, v1);
    expect(d).toMatchObject({ kind: 'diff', base: v1.hash, hash: v2.hash });
    if (d.kind !== 'diff') throw new Error('diff expected');
    expect(d.added.map((p) => `${p.name}=${p.version}`).sort()).toEqual(['bash=5.2-2', 'curl=7.88-1']);
    expect(d.removed).toEqual([{ name: 'tar', arch: 'amd64' }]);
  });

  it('hashes what the server hashes', () => {
    const c = collection([pkg('bash', '5.2-1')]);
    const expected = createHash('sha256')
      .update(canonicalInventory('dpkg', [{ ...pkg('bash', '5.2-1'), vendor: null }], []))
      .digest('hex');
    expect(snapshotOf(c).hash).toBe(expected);
  });

  it('starts over when the package manager changes', () => {
    const apk = { ...snapshotOf(collection([pkg('musl', '1.2.4-r2')])), manager: 'apk' as const };
    expect(payloadFor(apk, v1).kind).toBe('full');
  });
});

describe('StateDir', () => {
  it('treats a damaged state file as missing', () => {
    const dir = tempDir('state');
    const s = new StateDir(dir);
    writeFileSync(join(dir, 'enrollment.json'), '{"server": "http://x", "hostId":');
    expect(s.enrollment()).toBeNull();
    s.saveEnrollment({ server: 'http://x', hostId: 3, credential: 'pla_x', machineId: 'm'.repeat(16) });
    expect(new StateDir(dir).enrollment()?.hostId).toBe(3);
  });
});

describe('Agent against a recording server', () => {
  let server: Server;
  let url = '';
  const seen: CheckinRequest[] = [];
  let held: string | null = null;
  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        res.setHeader('content-type', 'application/json');
        if (req.url === '/api/v1/enroll') {
          res.statusCode = 201;
          return res.end(JSON.stringify({ hostId: 7, credential: 'pla_test', inventoryHash: held }));
        }
        const r = JSON.parse(body) as CheckinRequest;
        seen.push(r);
        const inv = r.inventory;
        const ok = inv.kind === 'full' || (inv.kind === 'diff' && inv.base === held) || inv.hash === held;
        if (ok) held = inv.hash;
        res.end(JSON.stringify({ acknowledged: held, needFull: !ok, nextCheckinSeconds: 60 }));
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const a = server.address();
    url = `http://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('sends full, then same, then a diff; sends the pending collection when collecting fails', async () => {
    const dir = tempDir('agent');
    let current: HostCollection | Error = collection([pkg('bash', '5.2-1'), pkg('gzip', '1.12-1')]);
    const agent = new Agent({
      server: url,
      enrollSecret: 'secret-secret-secret',
      runner: localRunner({ root: dir }),
      stateDir: join(dir, 'state'),
      collect: async () => {
        if (current instanceof Error) throw current;
        return current;
      },
    });
    expect((await agent.checkinOnce()).sent).toBe('full');
    expect((await agent.checkinOnce()).sent).toBe('same');
    current = collection([pkg('bash', '5.2-2'), pkg('gzip', '1.12-1')]);
    expect((await agent.checkinOnce()).sent).toBe('diff');
    // The server loses its state: the agent's diff is refused and it sends everything.
    held = null;
    current = collection([pkg('bash', '5.2-3'), pkg('gzip', '1.12-1')]);
    const r = await agent.checkinOnce();
    expect(r.sent).toBe('full');
    expect(seen.slice(-2).map((s) => s.inventory.kind)).toEqual(['diff', 'full']);
    // A collection that is never acknowledged stays pending and is sent when the next collection fails.
    const state = new StateDir(join(dir, 'state'));
    state.savePending({
      ...snapshotOf(collection([pkg('bash', '9')])),
      facts: collection([]).facts,
      machineId: 'abcdef0123456789abcdef0123456789',
    });
    current = new Error('dpkg database locked');
    const fallback = await agent.checkinOnce();
    expect(fallback.warnings[0]).toContain('dpkg database locked');
    const last = seen.at(-1)!.inventory;
    expect(last.kind === 'diff' ? last.added.map((p) => p.version) : []).toEqual(['9']);
  });
});

describe('Agent jobs between check-ins', () => {
  it('long-polls, runs a (duplicated) job once, reports each step and checks in again at once', async () => {
    const host = new FakeHost(new Map([['bash', '5.2-1']]), new Map([['bash', ['5.2-1', '5.2-2']]]));
    const job: AgentJob = {
      id: 'task-0000000042',
      deploymentId: 3,
      kind: 'install',
      packages: [{ name: 'bash', version: '5.2-2' }],
      preScript: null,
      postScript: null,
      reboot: 'never',
      deadline: new Date(Date.now() + 3600_000).toISOString(),
      timeoutSeconds: 60,
    };
    const events: string[] = [];
    const reports: JobReport[] = [];
    const signer = new TestSigner();
    const signed = signer.signJob(job, { hostId: 8, machineId: 'abcdef0123456789abcdef0123456789' }, 1);
    // Delivered twice (until the final report is acknowledged): the same signature both times.
    let pending: AgentJob[] = [signed, { ...signed }];
    const abort = new AbortController();
    const srv = await stubServer((req, body, res) => {
      if (req.url === '/api/v1/enroll') {
        res.statusCode = 201;
        return res.end(
          JSON.stringify({
            hostId: 8,
            credential: 'pla_jobs',
            inventoryHash: null,
            jobSigningKey: signer.key,
          }),
        );
      }
      if (req.url === '/api/v1/agent/checkin') {
        events.push('checkin');
        if (events.filter((e) => e === 'checkin').length === 2) setTimeout(() => abort.abort(), 50);
        const r = JSON.parse(body) as CheckinRequest;
        return res.end(
          JSON.stringify({ acknowledged: r.inventory.hash, needFull: false, nextCheckinSeconds: 600 }),
        );
      }
      if (req.url === '/api/v1/agent/jobs/poll') {
        const poll = JSON.parse(body) as JobPoll;
        events.push(`poll ${poll.waitSeconds}`);
        const jobs = pending;
        pending = [];
        if (jobs.length > 0) return res.end(JSON.stringify({ jobs }));
        return void setTimeout(() => res.end(JSON.stringify({ jobs: [] })), 100);
      }
      const m = /^\/api\/v1\/agent\/jobs\/([^/]+)\/report$/.exec(req.url ?? '');
      if (m && req.headers.authorization === 'Bearer pla_jobs') {
        const r = JSON.parse(body) as JobReport;
        reports.push(r);
        events.push(`report ${r.state}`);
        return res.end(JSON.stringify({ status: r.state, cancel: false }));
      }
      res.statusCode = 404;
      res.end('{}');
    });
    const dir = tempDir('agent-jobs');
    const agent = new Agent({
      server: srv.url,
      enrollSecret: 'secret-secret-secret',
      runner: host,
      stateDir: join(dir, 'state'),
      intervalMs: 60_000,
      maxPollSeconds: 1,
      collect: async () => collection([pkg('bash', host.installed.get('bash') ?? '')]),
    });
    let afterOnce: string[];
    try {
      await agent.run(abort.signal);
      // --once (checkinOnce) never polls.
      const n = events.length;
      await agent.checkinOnce();
      afterOnce = events.slice(n);
    } finally {
      await srv.close();
    }
    expect(afterOnce).toEqual(['checkin']);
    expect(events.slice(0, 8)).toEqual([
      'checkin',
      'poll 1',
      'report pre-check',
      'report installing',
      'report verifying',
      'report succeeded',
      'report succeeded',
      'checkin',
    ]);
    expect(host.lines.filter((l) => l.includes(' install '))).toHaveLength(1);
    expect(reports.at(-1)).toMatchObject({
      machineId: 'abcdef0123456789abcdef0123456789',
      after: [{ name: 'bash', version: '5.2-2' }],
    });
  });
});
