/**
 * The console's cookie session (HttpOnly, SameSite=Strict, CSRF token for
 * state changes, sign-out revokes) and the console's files served at `/` with
 * client-side routes. One backend is enough: nothing here is store-specific.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from './harness.js';

const PASSWORD = 'console-password-0123456789';

function consoleDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'pl-console-'));
  mkdirSync(join(dir, 'assets'));
  writeFileSync(join(dir, 'index.html'), '<!doctype html><title>Patchloop</title><div id="root"></div>');
  writeFileSync(join(dir, 'assets', 'app-abc123.js'), 'console.log("app")');
  return dir;
}

/** "name=value; Path=/; HttpOnly; …" → its attributes, lower-cased. */
function parseSetCookie(header: string | string[] | undefined) {
  const line = (Array.isArray(header) ? header[0] : header) ?? '';
  const [pair, ...attrs] = line.split(/;\s*/);
  const [name, value] = (pair ?? '').split('=') as [string, string];
  return { name, value, attrs: attrs.map((a) => a.toLowerCase()) };
}

describe('console session and files', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness('pglite', {
      config: {
        adminPassword: PASSWORD,
        consoleDir: consoleDir(),
        feedMirror: mkdtempSync(join(tmpdir(), 'pl-mirror-')),
      },
    });
    h.ctx.wakeJobs = () => {};
  });
  afterAll(() => h.close());

  async function signIn() {
    const r = await h.app.inject({
      method: 'POST',
      url: '/api/v1/session',
      payload: { username: 'admin', password: PASSWORD },
    });
    expect(r.statusCode).toBe(201);
    const cookie = parseSetCookie(r.headers['set-cookie']);
    const body = r.json() as { username: string; role: string; csrfToken: string };
    return { cookie, body, header: { cookie: `pl_session=${cookie.value}` } };
  }

  it('signs in with a password and sets an HttpOnly, SameSite=Strict cookie; the token is not in the body', async () => {
    const { cookie, body } = await signIn();
    expect(cookie.name).toBe('pl_session');
    expect(cookie.value).toMatch(/^plt_/);
    expect(cookie.attrs).toEqual(expect.arrayContaining(['httponly', 'samesite=strict', 'path=/']));
    expect(cookie.attrs.some((a) => a.startsWith('max-age='))).toBe(true);
    expect(body.username).toBe('admin');
    expect(body.role).toBe('admin');
    expect(body.csrfToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(JSON.stringify(body)).not.toContain(cookie.value);

    const wrong = await h.app.inject({
      method: 'POST',
      url: '/api/v1/session',
      payload: { username: 'admin', password: 'not-the-password' },
    });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.headers['set-cookie']).toBeUndefined();
  });

  it('reads with the cookie alone, and says who is signed in with the CSRF token', async () => {
    const { header, body } = await signIn();
    const hosts = await h.app.inject({ method: 'GET', url: '/api/v1/hosts', headers: header });
    expect(hosts.statusCode).toBe(200);
    const me = await h.app.inject({ method: 'GET', url: '/api/v1/session', headers: header });
    expect(me.json()).toMatchObject({ username: 'admin', role: 'admin', csrfToken: body.csrfToken });
    const anonymous = await h.app.inject({ method: 'GET', url: '/api/v1/session' });
    expect(anonymous.statusCode).toBe(401);
  });

  it("changes state with the cookie only with the session's own CSRF token", async () => {
    const a = await signIn();
    const b = await signIn();
    const sync = (headers: Record<string, string>) =>
      h.app.inject({ method: 'POST', url: '/api/v1/feeds/sync', headers, payload: {} });
    const none = await sync(a.header);
    expect([none.statusCode, (none.json() as { error: { code: string } }).error.code]).toEqual([
      403,
      'PL_AUTH_CSRF',
    ]);
    const others = await sync({ ...a.header, 'x-csrf-token': b.body.csrfToken });
    expect(others.statusCode).toBe(403);
    const own = await sync({ ...a.header, 'x-csrf-token': a.body.csrfToken });
    expect(own.statusCode).toBeLessThan(300);
    // A bearer token needs no CSRF token: no browser sends it on its own.
    const bearer = await sync(h.auth('admin'));
    expect(bearer.statusCode).toBeLessThan(300);
  });

  it('signs out: the session token is revoked and the cookie cleared', async () => {
    const s = await signIn();
    const out = await h.app.inject({
      method: 'DELETE',
      url: '/api/v1/session',
      headers: { ...s.header, 'x-csrf-token': s.body.csrfToken },
    });
    expect(out.statusCode).toBe(204);
    const cleared = parseSetCookie(out.headers['set-cookie']);
    expect(cleared.name).toBe('pl_session');
    expect(cleared.value).toBe('');
    const after = await h.app.inject({ method: 'GET', url: '/api/v1/hosts', headers: s.header });
    expect(after.statusCode).toBe(401);
    const audit = await h.app.inject({
      method: 'GET',
      url: '/api/v1/audit?action=session.end',
      headers: h.auth('auditor'),
    });
    expect((audit.json() as { total: number }).total).toBe(1);
  });

  it('refuses sign-in for a while after too many wrong passwords, before checking the password', async () => {
    const attempt = (password: string) =>
      h.app.inject({
        method: 'POST',
        url: '/api/v1/session',
        remoteAddress: '192.0.2.7',
        payload: { username: 'admin', password },
      });
    for (let i = 0; i < 5; i++) expect((await attempt(`guess-${i}`)).statusCode).toBe(401);
    const refused = await attempt(PASSWORD);
    expect(refused.statusCode).toBe(429);
    expect((refused.json() as { error: { code: string } }).error.code).toBe('PL_AUTH_THROTTLED');
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(800);
    // The API's sign-in shares the count; another address is not refused.
    const api = await h.app.inject({
      method: 'POST',
      url: '/api/v1/sessions',
      remoteAddress: '192.0.2.7',
      payload: { username: 'admin', password: PASSWORD },
    });
    expect(api.statusCode).toBe(429);
    const elsewhere = await h.app.inject({
      method: 'POST',
      url: '/api/v1/session',
      remoteAddress: '192.0.2.8',
      payload: { username: 'admin', password: PASSWORD },
    });
    expect(elsewhere.statusCode).toBe(201);
  });

  it('serves the console at / and for client-side routes, with headers that forbid framing', async () => {
    for (const url of ['/', '/hosts', '/hosts/12?tab=findings']) {
      const r = await h.app.inject({ method: 'GET', url });
      expect([url, r.statusCode]).toEqual([url, 200]);
      expect(r.body).toContain('<div id="root">');
      expect(r.headers['content-security-policy']).toContain("frame-ancestors 'none'");
      expect(r.headers['content-security-policy']).toContain("script-src 'self'");
      expect(r.headers['cache-control']).toBe('no-cache');
    }
    const asset = await h.app.inject({ method: 'GET', url: '/assets/app-abc123.js' });
    expect(asset.statusCode).toBe(200);
    expect(asset.headers['cache-control']).toContain('immutable');
    // Unknown API paths and missing files stay JSON 404s.
    for (const url of ['/api/v1/nothing-here', '/assets/missing.js']) {
      const r = await h.app.inject({ method: 'GET', url });
      expect([url, r.statusCode, (r.json() as { error: { code: string } }).error.code]).toEqual([
        url,
        404,
        'PL_NOT_FOUND',
      ]);
    }
    const post = await h.app.inject({ method: 'POST', url: '/hosts' });
    expect(post.statusCode).toBe(404);
  });
});
