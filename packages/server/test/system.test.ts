/**
 * Health, readiness, the OpenAPI document, error bodies, the feed-sync queue,
 * tokens, users and the enrollment setting.
 */
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKEND_NAMES, ENROLL_SECRET, repoRoot, startHarness, type Harness } from './harness.js';

/** An error body: a PL_ code and a sentence, nothing else (no stack, no internals). */
function expectErrorBody(body: string, status: number, code?: string) {
  const json = JSON.parse(body) as { error: { code: string; message: string } };
  expect(Object.keys(json)).toEqual(['error']);
  expect(json.error.code).toMatch(/^PL_[A-Z_]+$/);
  if (code) expect(json.error.code).toBe(code);
  expect(typeof json.error.message).toBe('string');
  expect(body).not.toMatch(/\n\s+at |node_modules|\.ts:\d+/);
  expect(status).toBeGreaterThanOrEqual(400);
}

describe.each(BACKEND_NAMES)('system routes on %s', (backend) => {
  let h: Harness;
  const clock = Date.parse('2030-06-01T12:00:00Z');
  /** Every registered "METHOD /path" (HEAD left out), collected as Fastify adds it. */
  const routes = new Set<string>();

  beforeAll(async () => {
    h = await startHarness(backend, {
      // Feed sync must never reach the network: an empty mirror, and the queued job is never run.
      config: { feedMirror: mkdtempSync(join(tmpdir(), 'pl-mirror-')) },
      now: () => new Date(clock),
      onRoute: (route) => {
        for (const method of [route.method].flat())
          if (method !== 'HEAD') routes.add(`${method} ${route.url}`);
      },
    });
    h.ctx.wakeJobs = () => {};
  });
  afterAll(() => h.close());

  it('answers /healthz and /readyz without credentials', async () => {
    const health = await h.app.inject({ method: 'GET', url: '/healthz' });
    expect([health.statusCode, health.json()]).toEqual([200, { status: 'ok' }]);
    const ready = await h.app.inject({ method: 'GET', url: '/readyz' });
    const migrations = readdirSync(join(repoRoot, 'packages/store/migrations')).filter((f) =>
      /^\d{4}_[a-z0-9_]+\.sql$/.test(f),
    );
    expect(migrations.length).toBeGreaterThan(0);
    expect([ready.statusCode, ready.json()]).toEqual([
      200,
      // The newest migration's number (not their count: helpers may land numbers out of order).
      {
        status: 'ready',
        database: backend,
        schemaVersion: Math.max(...migrations.map((f) => Number(f.slice(0, 4)))),
      },
    ]);
  });

  it('serves an OpenAPI document listing every /api/v1 route', async () => {
    const r = await h.app.inject({ method: 'GET', url: '/api/docs/json' });
    expect(r.statusCode).toBe(200);
    const doc = r.json() as { openapi: string; paths: Record<string, Record<string, unknown>> };
    expect(doc.openapi).toMatch(/^3\./);
    const documented = Object.entries(doc.paths)
      .flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`))
      .filter((r) => r.split(' ')[1]?.startsWith('/api/v1/') && !r.startsWith('HEAD '))
      .sort();
    const registered = [...routes]
      .filter((r) => r.split(' ')[1]?.startsWith('/api/v1/'))
      .map((r) => r.replace(/:([a-zA-Z]+)/g, '{$1}'))
      .sort();
    expect(registered.length).toBeGreaterThan(10);
    expect(documented).toEqual(registered);
    const ui = await h.app.inject({ method: 'GET', url: '/api/docs/' });
    expect(ui.statusCode).toBe(200);
  });

  it('answers an unknown route with 404 PL_NOT_FOUND, with or without credentials', async () => {
    for (const [url, headers] of [
      ['/nope', {}],
      ['/api/v1/nope', {}],
      ['/api/v1/nope', h.auth('admin')],
      ['/api/v1/hosts/1/nope', h.auth('auditor')],
      ['/api/v2/hosts', h.auth('auditor')],
    ] as const) {
      const r = await h.app.inject({ method: 'GET', url, headers });
      expect([url, r.statusCode]).toEqual([url, 404]);
      expectErrorBody(r.body, r.statusCode, 'PL_NOT_FOUND');
    }
    const wrongMethod = await h.app.inject({ method: 'PUT', url: '/api/v1/hosts', headers: h.auth('admin') });
    expect(wrongMethod.statusCode).toBe(404);
    expectErrorBody(wrongMethod.body, wrongMethod.statusCode, 'PL_NOT_FOUND');
  });

  it('answers a malformed body with a 4xx PL_ code, never a stack trace', async () => {
    for (const [url, headers] of [
      ['/api/v1/tokens', h.auth('admin')],
      ['/api/v1/enroll', {}],
      ['/api/v1/sessions', {}],
    ] as const) {
      const r = await h.app.inject({
        method: 'POST',
        url,
        headers: { ...headers, 'content-type': 'application/json' },
        payload: '{"name": "x", ',
      });
      expect([url, r.statusCode]).toEqual([url, 400]);
      expectErrorBody(r.body, r.statusCode, 'PL_REQUEST_INVALID');
    }
    const text = await h.app.inject({
      method: 'POST',
      url: '/api/v1/tokens',
      headers: { ...h.auth('admin'), 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'name=x',
    });
    expect(text.statusCode).toBe(415);
    expectErrorBody(text.body, text.statusCode);
    const empty = await h.app.inject({
      method: 'POST',
      url: '/api/v1/users',
      headers: { ...h.auth('admin'), 'content-type': 'application/json' },
      payload: '',
    });
    expect(empty.statusCode).toBe(400);
    expectErrorBody(empty.body, empty.statusCode);
    const badId = await h.app.inject({ method: 'GET', url: '/api/v1/hosts/abc', headers: h.auth('admin') });
    expect(badId.statusCode).toBe(400);
    expectErrorBody(badId.body, badId.statusCode, 'PL_REQUEST_INVALID');
  });

  it('queues one feed sync at a time', async () => {
    const first = await h.app.inject({
      method: 'POST',
      url: '/api/v1/feeds/sync',
      headers: h.auth('operator'),
    });
    expect(first.statusCode).toBe(202);
    expect(first.json()).toMatchObject({ queued: true });
    expect(first.json().jobId).toBeGreaterThan(0);
    const second = await h.app.inject({
      method: 'POST',
      url: '/api/v1/feeds/sync',
      headers: h.auth('admin'),
    });
    expect([second.statusCode, second.json()]).toEqual([202, { queued: false, jobId: null }]);
    const feeds = await h.app.inject({ method: 'GET', url: '/api/v1/feeds', headers: h.auth('auditor') });
    expect(feeds.json().jobs).toEqual({ queued: 1 });
    const jobs = await h.db.query<{ kind: string; payload: unknown }>('SELECT kind, payload FROM job');
    expect(jobs.rows).toEqual([{ kind: 'feed-sync', payload: { requestedBy: 'token:test-operator' } }]);
  });

  it('shows a token secret once, at creation, and never again', async () => {
    const created = await h.app.inject({
      method: 'POST',
      url: '/api/v1/tokens',
      headers: h.auth('admin'),
      payload: { name: 'ci-pipeline', role: 'operator', expiresInDays: 30 },
    });
    expect(created.statusCode).toBe(201);
    const t = created.json() as { id: number; token: string; expiresAt: string; createdBy: string };
    expect(t.token).toMatch(/^plt_[A-Za-z0-9_-]{40,}$/);
    expect(t).toMatchObject({
      name: 'ci-pipeline',
      role: 'operator',
      createdBy: 'token:PATCHLOOP_ADMIN_TOKEN',
      createdAt: new Date(clock).toISOString(),
      expiresAt: new Date(clock + 30 * 86_400_000).toISOString(),
      revokedAt: null,
    });
    // It works.
    const use = await h.app.inject({
      method: 'GET',
      url: '/api/v1/hosts',
      headers: { authorization: `Bearer ${t.token}` },
    });
    expect(use.statusCode).toBe(200);

    const list = await h.app.inject({ method: 'GET', url: '/api/v1/tokens', headers: h.auth('admin') });
    expect(list.statusCode).toBe(200);
    expect(list.body).not.toContain(t.token);
    expect(list.body).not.toContain('scrypt$');
    const items = list.json().items as Record<string, unknown>[];
    expect(items.map((i) => i.name)).toEqual(
      expect.arrayContaining(['PATCHLOOP_ADMIN_TOKEN', 'test-operator', 'test-auditor', 'ci-pipeline']),
    );
    for (const i of items) {
      expect(Object.keys(i).sort()).toEqual(
        ['createdAt', 'createdBy', 'expiresAt', 'id', 'lastUsedAt', 'name', 'revokedAt', 'role'].sort(),
      );
    }
    expect(items.find((i) => i.id === t.id)).toMatchObject({ lastUsedAt: new Date(clock).toISOString() });

    const revoked = await h.app.inject({
      method: 'DELETE',
      url: `/api/v1/tokens/${t.id}`,
      headers: h.auth('admin'),
    });
    expect(revoked.statusCode).toBe(200);
    expect(revoked.body).not.toContain(t.token);
    expect(revoked.json()).toMatchObject({ id: t.id, revokedAt: new Date(clock).toISOString() });
    expect(revoked.json().token).toBeUndefined();
    const after = await h.app.inject({ method: 'GET', url: '/api/v1/tokens', headers: h.auth('admin') });
    expect(after.json().items.find((i: { id: number }) => i.id === t.id).revokedAt).toBe(
      new Date(clock).toISOString(),
    );
    const refused = await h.app.inject({
      method: 'GET',
      url: '/api/v1/hosts',
      headers: { authorization: `Bearer ${t.token}` },
    });
    expect(refused.statusCode).toBe(401);

    // The audit log has the creation and the revocation, never the secret.
    const audit = await h.app.inject({
      method: 'GET',
      url: `/api/v1/audit?target=token:${t.id}`,
      headers: h.auth('auditor'),
    });
    expect(
      audit
        .json()
        .items.map((e: { action: string }) => e.action)
        .sort(),
    ).toEqual(['token.create', 'token.revoke']);
    expect(audit.body).not.toContain(t.token);
    const stored = await h.db.query('SELECT * FROM api_token WHERE id = $1', [t.id]);
    expect(JSON.stringify(stored.rows)).not.toContain(t.token);

    for (const payload of [
      { name: 'x', role: 'root' },
      { role: 'auditor' },
      { name: '', role: 'auditor' },
      { name: 'x', role: 'auditor', expiresInDays: 0 },
      { name: 'x', role: 'auditor', extra: 1 },
    ]) {
      const bad = await h.app.inject({
        method: 'POST',
        url: '/api/v1/tokens',
        headers: h.auth('admin'),
        payload,
      });
      expect([JSON.stringify(payload), bad.statusCode]).toEqual([JSON.stringify(payload), 400]);
      expectErrorBody(bad.body, bad.statusCode, 'PL_REQUEST_INVALID');
    }
  });

  it('creates users: a duplicate is a conflict, a short password is refused, no hash leaves the server', async () => {
    const create = (payload: Record<string, unknown>) =>
      h.app.inject({ method: 'POST', url: '/api/v1/users', headers: h.auth('admin'), payload });
    const ok = await create({ username: 'alice', password: 'correct-horse-battery', role: 'operator' });
    expect(ok.statusCode).toBe(201);
    expect(ok.json()).toMatchObject({
      username: 'alice',
      role: 'operator',
      createdAt: new Date(clock).toISOString(),
    });
    expect(Object.keys(ok.json()).sort()).toEqual(['createdAt', 'disabledAt', 'id', 'role', 'username']);

    const dup = await create({ username: 'alice', password: 'another-long-password', role: 'auditor' });
    expect(dup.statusCode).toBe(409);
    expectErrorBody(dup.body, dup.statusCode, 'PL_CONFLICT');
    for (const payload of [
      { username: 'bob', password: 'short', role: 'auditor' },
      { username: 'Bob', password: 'long-enough-password', role: 'auditor' },
      { username: 'bob', password: 'long-enough-password', role: 'root' },
      { username: 'bob', password: 'long-enough-password' },
    ]) {
      const bad = await create(payload);
      expect([JSON.stringify(payload), bad.statusCode]).toEqual([JSON.stringify(payload), 400]);
      expectErrorBody(bad.body, bad.statusCode, 'PL_REQUEST_INVALID');
    }

    const list = await h.app.inject({ method: 'GET', url: '/api/v1/users', headers: h.auth('admin') });
    expect(list.json().items.map((u: { username: string }) => u.username)).toEqual(['admin', 'alice']);
    expect(list.body).not.toMatch(/scrypt|password/i);
    // The duplicate left the first user's role alone.
    expect(list.json().items.find((u: { username: string }) => u.username === 'alice').role).toBe('operator');
    const signIn = await h.app.inject({
      method: 'POST',
      url: '/api/v1/sessions',
      payload: { username: 'alice', password: 'correct-horse-battery' },
    });
    expect([signIn.statusCode, signIn.json().role]).toEqual([201, 'operator']);
    const audit = await h.app.inject({
      method: 'GET',
      url: '/api/v1/audit?target=user:alice',
      headers: h.auth('auditor'),
    });
    expect(audit.json().items.map((e: { action: string; actor: string }) => [e.action, e.actor])).toEqual([
      ['user.create', 'token:PATCHLOOP_ADMIN_TOKEN'],
    ]);
    expect(audit.body).not.toContain('correct-horse-battery');
  });

  it('gives admins the command to enroll an agent, without the secret and without trusting Host', async () => {
    const r = await h.app.inject({
      method: 'GET',
      url: '/api/v1/settings/enrollment',
      headers: { ...h.auth('admin'), host: 'attacker.example:8443' },
    });
    expect(r.statusCode).toBe(200);
    const { secret, secretNote, command } = r.json() as { secret: null; secretNote: string; command: string };
    expect(secret).toBeNull();
    expect(secretNote).toContain('PATCHLOOP_ENROLL_SECRET');
    // No PATCHLOOP_PUBLIC_URL: the listen address, not the request's Host header.
    expect(command).toBe(
      'PATCHLOOP_ENROLL_SECRET=<enrollment-secret> patchloop agent --server http://127.0.0.1:8080',
    );
    expect(r.body).not.toContain('attacker.example');
    expect(r.body).not.toContain(ENROLL_SECRET);
  });
});
