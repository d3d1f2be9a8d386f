/**
 * The four-eyes rule on exceptions counts people, not credentials: a user's
 * session and the same user's API token are one person, and the bootstrap
 * admin token (PATCHLOOP_ADMIN_TOKEN) is the user admin.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKEND_NAMES, startHarness, type Harness } from './harness.js';

const PASSWORD = 'correct-horse-battery-9';

describe.each(BACKEND_NAMES)('four-eyes on exceptions on %s', (backend) => {
  let h: Harness;
  const bearer = (t: string) => ({ authorization: `Bearer ${t}` });
  const signIn = async (username: string, password: string) => {
    const r = await h.app.inject({
      method: 'POST',
      url: '/api/v1/sessions',
      payload: { username, password },
    });
    expect(r.statusCode, r.body).toBe(201);
    return (r.json() as { token: string }).token;
  };
  const request = async (token: string) => {
    const r = await h.app.inject({
      method: 'POST',
      url: '/api/v1/exceptions',
      headers: bearer(token),
      payload: {
        kind: 'accepted-risk',
        package: 'openssl',
        justification: 'decommissioned next month',
        expiresAt: new Date(Date.now() + 5 * 86_400_000).toISOString(),
      },
    });
    expect(r.statusCode, r.body).toBe(201);
    return (r.json() as { id: number }).id;
  };
  const approve = (token: string, id: number) =>
    h.app.inject({
      method: 'POST',
      url: `/api/v1/exceptions/${id}/approve`,
      headers: bearer(token),
      payload: {},
    });

  beforeAll(async () => {
    h = await startHarness(backend, { config: { adminPassword: PASSWORD } });
    const u = await h.app.inject({
      method: 'POST',
      url: '/api/v1/users',
      headers: h.auth('admin'),
      payload: { username: 'alice', password: PASSWORD, role: 'admin' },
    });
    expect(u.statusCode, u.body).toBe(201);
  }, 60_000);
  afterAll(() => h.close());

  it("refuses a user's session approving what the same user's API token requested", async () => {
    const session = await signIn('alice', PASSWORD);
    const t = await h.app.inject({
      method: 'POST',
      url: '/api/v1/tokens',
      headers: bearer(session),
      payload: { name: 'alice-ci', role: 'operator' },
    });
    expect(t.statusCode, t.body).toBe(201);
    const apiToken = (t.json() as { token: string }).token;

    const id = await request(apiToken);
    const self = await approve(session, id);
    expect([self.statusCode, self.json().error.code]).toEqual([403, 'PL_EXCEPTION_SELF_APPROVAL']);
    // And the other way round.
    const id2 = await request(session);
    const self2 = await approve(apiToken, id2);
    expect([self2.statusCode, self2.json().error.code]).toEqual([403, 'PL_EXCEPTION_SELF_APPROVAL']);
    // Another person may.
    const other = await approve(h.tokens.admin, id);
    expect(other.statusCode, other.body).toBe(200);
  });

  it('treats the bootstrap admin token as the user admin', async () => {
    const id = await request(h.tokens.admin);
    const admin = await signIn('admin', PASSWORD);
    const self = await approve(admin, id);
    expect([self.statusCode, self.json().error.code]).toEqual([403, 'PL_EXCEPTION_SELF_APPROVAL']);
    const alice = await signIn('alice', PASSWORD);
    const ok = await approve(alice, id);
    expect(ok.statusCode, ok.body).toBe(200);
  });
});
