/**
 * Users over their lifetime through the API: disable and enable (sign-in,
 * sessions and the API tokens they created stop), role changes, an admin's
 * password reset, changing one's own password, the last admin kept; the
 * enrollment secret rotated; PATCHLOOP_ADMIN_PASSWORD on an existing store;
 * validation errors in words and unknown query parameters refused.
 */
import { listAudit } from '@patchloop/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootstrap } from '../src/auth/bootstrap.js';
import { loadServerConfig } from '../src/config.js';
import { createContext } from '../src/context.js';
import { BACKEND_NAMES, startHarness, type Harness } from './harness.js';

const PASSWORD = 'first-password-0123';

describe.each(BACKEND_NAMES)('users and settings lifecycle on %s', (backend) => {
  let h: Harness;
  const admin = () => h.auth('admin');
  const signIn = (username: string, password: string) =>
    h.app.inject({ method: 'POST', url: '/api/v1/sessions', payload: { username, password } });
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
  const whoAmI = (token: string) =>
    h.app.inject({ method: 'GET', url: '/api/v1/session', headers: bearer(token) });
  const patchUser = (username: string, payload: Record<string, unknown>, headers = admin()) =>
    h.app.inject({ method: 'PATCH', url: `/api/v1/users/${username}`, headers, payload });
  const actions = async (target: string) =>
    (await listAudit(h.db, { limit: 100, offset: 0, target })).items.map((e) => [e.actor, e.action]);

  beforeAll(async () => {
    // No PATCHLOOP_ENROLL_SECRET: the stored secret can be rotated.
    h = await startHarness(backend, { config: { enrollSecret: undefined } });
  });
  afterAll(async () => h?.close());

  /**
   * dora, made by the disable test, as the tests after it expect her: enabled, PASSWORD and
   * `role`; created here when a test runs alone (`-t`).
   */
  const haveDora = async (role: 'admin' | 'operator' | 'auditor') => {
    const created = await h.app.inject({
      method: 'POST',
      url: '/api/v1/users',
      headers: admin(),
      payload: { username: 'dora', password: PASSWORD, role },
    });
    if (created.statusCode === 201) return;
    expect(created.statusCode, created.body).toBe(409);
    const reset = await h.app.inject({
      method: 'POST',
      url: '/api/v1/users/dora/password',
      headers: admin(),
      payload: { password: PASSWORD },
    });
    expect(reset.statusCode, reset.body).toBeLessThan(300);
    expect((await patchUser('dora', { role, disabled: false })).statusCode).toBe(200);
  };

  it('says what is wrong with a request in words, keeping the PL_ code', async () => {
    const short = await h.app.inject({
      method: 'POST',
      url: '/api/v1/users',
      headers: admin(),
      payload: { username: 'shorty', password: 'short', role: 'auditor' },
    });
    expect([short.statusCode, short.json().error]).toEqual([
      400,
      { code: 'PL_REQUEST_INVALID', message: 'password must be at least 12 characters' },
    ]);
    const role = await h.app.inject({
      method: 'POST',
      url: '/api/v1/users',
      headers: admin(),
      payload: { username: 'rolly', password: PASSWORD, role: 'root' },
    });
    expect(role.json().error.message).toBe('role must be one of "admin", "operator", "auditor"');
    const missing = await h.app.inject({
      method: 'POST',
      url: '/api/v1/users',
      headers: admin(),
      payload: { username: 'nopass', role: 'auditor' },
    });
    expect(missing.json().error.message).toBe('password is required');
    const extra = await h.app.inject({
      method: 'POST',
      url: '/api/v1/users',
      headers: admin(),
      payload: { username: 'extra', password: PASSWORD, role: 'auditor', admin: true },
    });
    expect(extra.json().error.message).toBe('unknown field "admin"');
    const limit = await h.app.inject({ method: 'GET', url: '/api/v1/hosts?limit=0', headers: admin() });
    expect(limit.json().error.message).toBe('limit must be at least 1');
    const kind = await h.app.inject({ method: 'GET', url: '/api/v1/hosts?limit=ten', headers: admin() });
    expect(kind.json().error.message).toBe('limit must be a whole number');
  });

  it('refuses unknown query parameters, also on routes that take none', async () => {
    for (const url of ['/api/v1/hosts?hostname=web', '/api/v1/findings?severty=high', '/api/v1/tokens?x=1']) {
      const r = await h.app.inject({ method: 'GET', url, headers: admin() });
      const name = new URL(url, 'http://x').searchParams.keys().next().value;
      expect([url, r.statusCode, r.json().error]).toEqual([
        url,
        400,
        { code: 'PL_REQUEST_INVALID', message: `unknown query parameter "${name}"` },
      ]);
    }
    const ok = await h.app.inject({ method: 'GET', url: '/api/v1/hosts?q=web&limit=5', headers: admin() });
    expect(ok.statusCode).toBe(200);
  });

  it('disables a user: no sign-in, its sessions and API tokens stop; enabling lets it in again', async () => {
    const created = await h.app.inject({
      method: 'POST',
      url: '/api/v1/users',
      headers: admin(),
      payload: { username: 'dora', password: PASSWORD, role: 'admin' },
    });
    expect(created.statusCode).toBe(201);
    const session = (await signIn('dora', PASSWORD)).json().token as string;
    // dora makes an API token with her session: the token acts for her.
    const tokenRes = await h.app.inject({
      method: 'POST',
      url: '/api/v1/tokens',
      headers: bearer(session),
      payload: { name: 'dora-script', role: 'admin' },
    });
    const token = tokenRes.json().token as string;
    expect((await whoAmI(token)).statusCode).toBe(200);

    const disabled = await patchUser('dora', { disabled: true });
    expect([disabled.statusCode, disabled.json().disabledAt === null]).toEqual([200, false]);
    expect((await signIn('dora', PASSWORD)).statusCode).toBe(401);
    expect((await whoAmI(session)).json().error.code).toBe('PL_AUTH_REQUIRED');
    expect((await whoAmI(token)).statusCode).toBe(401);

    expect((await patchUser('dora', { disabled: false })).statusCode).toBe(200);
    expect((await whoAmI(token)).statusCode).toBe(200);
    // The session ended for good when she was disabled.
    expect((await whoAmI(session)).statusCode).toBe(401);
    expect((await signIn('dora', PASSWORD)).statusCode).toBe(201);
    expect(await actions('user:dora')).toEqual([
      ['token:PATCHLOOP_ADMIN_TOKEN', 'user.enable'],
      ['token:PATCHLOOP_ADMIN_TOKEN', 'user.disable'],
      ['token:PATCHLOOP_ADMIN_TOKEN', 'user.create'],
    ]);
  });

  it("changes a role: sessions follow at once, the user's tokens never exceed it", async () => {
    await haveDora('admin');
    const session = (await signIn('dora', PASSWORD)).json().token as string;
    const token = (
      await h.app.inject({
        method: 'POST',
        url: '/api/v1/tokens',
        headers: bearer(session),
        payload: { name: 'dora-admin-token', role: 'admin' },
      })
    ).json().token as string;
    const r = await patchUser('dora', { role: 'auditor' });
    expect([r.statusCode, r.json().role]).toEqual([200, 'auditor']);
    expect((await whoAmI(session)).json().role).toBe('auditor');
    const asToken = await h.app.inject({ method: 'GET', url: '/api/v1/tokens', headers: bearer(token) });
    expect([asToken.statusCode, asToken.json().error.code]).toEqual([403, 'PL_AUTH_FORBIDDEN']);
    expect((await actions('user:dora'))[0]).toEqual(['token:PATCHLOOP_ADMIN_TOKEN', 'user.role']);
  });

  it('keeps an enabled admin, and nobody disables itself', async () => {
    // The harness's admin is the only admin: dora, if an earlier test made her one, is not.
    const demoted = await patchUser('dora', { role: 'auditor' });
    expect([200, 404], demoted.body).toContain(demoted.statusCode);
    const session = (await signIn('admin', 'x'.repeat(12))).statusCode;
    expect(session).toBe(401); // the harness's admin password is generated
    await h.app.inject({
      method: 'POST',
      url: '/api/v1/users/admin/password',
      headers: admin(),
      payload: { password: PASSWORD },
    });
    const adminSession = (await signIn('admin', PASSWORD)).json().token as string;
    const self = await patchUser('admin', { disabled: true }, bearer(adminSession));
    expect([self.statusCode, self.json().error.code]).toEqual([409, 'PL_USER_SELF_DISABLE']);
    const last = await patchUser('admin', { role: 'operator' });
    expect([last.statusCode, last.json().error.code]).toEqual([409, 'PL_USER_LAST_ADMIN']);
    expect((await patchUser('nobody', { disabled: true })).statusCode).toBe(404);
    expect((await patchUser('admin', {})).json().error.message).toBe(
      'the request body must have at least 1 field',
    );
  });

  it("resets another user's password (generated, shown once) and ends its sessions", async () => {
    await haveDora('auditor');
    const session = (await signIn('dora', PASSWORD)).json().token as string;
    const r = await h.app.inject({
      method: 'POST',
      url: '/api/v1/users/dora/password',
      headers: admin(),
      payload: {},
    });
    expect(r.statusCode).toBe(200);
    const generated = r.json().password as string;
    expect(generated.length).toBeGreaterThanOrEqual(12);
    expect((await whoAmI(session)).statusCode).toBe(401);
    expect((await signIn('dora', PASSWORD)).statusCode).toBe(401);
    expect((await signIn('dora', generated)).statusCode).toBe(201);
    const asOperator = await h.app.inject({
      method: 'POST',
      url: '/api/v1/users/dora/password',
      headers: h.auth('operator'),
      payload: {},
    });
    expect(asOperator.statusCode).toBe(403);
    const events = await listAudit(h.db, { limit: 1, offset: 0, target: 'user:dora' });
    expect(events.items[0]?.action).toBe('user.password-reset');
    expect((events.items[0]?.after as { sessionsRevoked: number }).sessionsRevoked).toBeGreaterThanOrEqual(1);
    // The password itself never reaches the log.
    expect(JSON.stringify(events.items)).not.toContain(generated);
    await h.app.inject({
      method: 'POST',
      url: '/api/v1/users/dora/password',
      headers: admin(),
      payload: { password: PASSWORD },
    });
  });

  it('changes one own password with the current one; other sessions end, this one stays', async () => {
    await haveDora('auditor');
    const mine = (await signIn('dora', PASSWORD)).json().token as string;
    const other = (await signIn('dora', PASSWORD)).json().token as string;
    const change = (currentPassword: string, newPassword: string, token = mine) =>
      h.app.inject({
        method: 'PUT',
        url: '/api/v1/session/password',
        headers: bearer(token),
        payload: { currentPassword, newPassword },
      });
    const wrong = await change('not-the-password', 'second-password-0123');
    expect([wrong.statusCode, wrong.json().error.code]).toEqual([403, 'PL_PASSWORD_WRONG']);
    const short = await change(PASSWORD, 'short');
    expect(short.json().error.message).toBe('newPassword must be at least 12 characters');
    expect((await change(PASSWORD, 'second-password-0123')).statusCode).toBe(204);
    expect((await whoAmI(mine)).statusCode).toBe(200);
    expect((await whoAmI(other)).statusCode).toBe(401);
    expect((await signIn('dora', 'second-password-0123')).statusCode).toBe(201);
    // An API token has no password to change.
    const byToken = await change('x', 'second-password-0123', h.tokens.operator);
    expect([byToken.statusCode, byToken.json().error.code]).toEqual([404, 'PL_NOT_FOUND']);
    expect((await actions('user:dora'))[0]).toEqual(['user:dora', 'user.password-change']);
  });

  it('rotates the enrollment secret: the old one stops working, enrolled agents keep theirs', async () => {
    // Kept hashed: asked again, the secret is not shown; rotating shows the new one, once.
    const shown = (
      await h.app.inject({ method: 'GET', url: '/api/v1/settings/enrollment', headers: admin() })
    ).json();
    expect([shown.secret, shown.secretNote]).toEqual([
      null,
      expect.stringContaining('cannot be shown again'),
    ]);
    const before = (
      await h.app.inject({ method: 'POST', url: '/api/v1/settings/enrollment/rotate', headers: admin() })
    ).json().secret as string;
    const stored = await h.db.query<{ key: string; value: string }>(
      "SELECT key, value FROM setting WHERE key LIKE 'enroll_secret%'",
    );
    expect(stored.rows).toEqual([{ key: 'enroll_secret_hash', value: expect.stringMatching(/^sha256\$/) }]);
    expect(JSON.stringify(stored.rows)).not.toContain(before);
    const enroll = (secret: string, machineId: string) =>
      h.app.inject({
        method: 'POST',
        url: '/api/v1/enroll',
        payload: { secret, machineId, hostname: machineId, tags: [] },
      });
    const first = await enroll(before, 'machine-rotate-1');
    expect(first.statusCode).toBe(201);
    const rotated = await h.app.inject({
      method: 'POST',
      url: '/api/v1/settings/enrollment/rotate',
      headers: admin(),
    });
    const after = rotated.json().secret as string;
    expect([rotated.statusCode, after === before, rotated.json().command]).toEqual([
      200,
      false,
      expect.stringContaining(`PATCHLOOP_ENROLL_SECRET=${after} patchloop agent`),
    ]);
    expect((await enroll(before, 'machine-rotate-2')).json().error.code).toBe('PL_ENROLL_SECRET_INVALID');
    expect((await enroll(after, 'machine-rotate-2')).statusCode).toBe(201);
    const agent = await h.app.inject({
      method: 'POST',
      url: '/api/v1/agent/jobs/poll',
      headers: bearer(first.json().credential),
      payload: { machineId: 'machine-rotate-1', waitSeconds: 0 },
    });
    expect(agent.statusCode).toBe(200);
    expect(await actions('setting:enroll_secret')).toContainEqual([
      'token:PATCHLOOP_ADMIN_TOKEN',
      'enroll-secret.rotate',
    ]);
    // With PATCHLOOP_ENROLL_SECRET the variable decides.
    const fromEnv = createContext(h.db, loadServerConfig({ PATCHLOOP_ENROLL_SECRET: 'e'.repeat(20) }));
    const { rotateEnrollSecret } = await import('../src/auth/bootstrap.js');
    await expect(rotateEnrollSecret(fromEnv, 'test')).rejects.toMatchObject({
      code: 'PL_ENROLL_SECRET_FROM_ENV',
    });
  });

  it('applies PATCHLOOP_ADMIN_PASSWORD on an existing store once per value, and says so', async () => {
    const start = (password: string) =>
      bootstrap(createContext(h.db, loadServerConfig({}, { adminPassword: password })));
    const first = await start('from-the-env-0123');
    expect(first.adminPasswordNote).toMatch(/user admin's password was reset to PATCHLOOP_ADMIN_PASSWORD/);
    expect((await signIn('admin', 'from-the-env-0123')).statusCode).toBe(201);
    // The same value again: nothing to do.
    expect((await start('from-the-env-0123')).adminPasswordNote).toBeNull();
    // Changed in the console since: the old value is not applied again, and the start says so.
    await h.app.inject({
      method: 'POST',
      url: '/api/v1/users/admin/password',
      headers: admin(),
      payload: { password: 'changed-later-0123' },
    });
    const again = await start('from-the-env-0123');
    expect(again.adminPasswordNote).toMatch(/is ignored: it was applied before/);
    expect((await signIn('admin', 'changed-later-0123')).statusCode).toBe(201);
    const events = await listAudit(h.db, { limit: 100, offset: 0, target: 'user:admin' });
    expect(
      events.items.filter((e) => e.actor === 'system' && e.action === 'user.password-reset'),
    ).toHaveLength(1);
  });
});
