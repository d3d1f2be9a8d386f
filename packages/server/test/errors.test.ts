/**
 * One error path (#16): services and routes throw a PatchloopError, and the server answers it
 * with the status its code carries in core's registry and the body `{"error":{"code","message"}}`;
 * a fault of the server itself (a broken audit log) is a 5xx, and an error with no code a 500
 * PL_INTERNAL that tells the client nothing of its cause.
 */
import { httpStatusOf, type ErrorCode } from '@patchloop/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKEND_NAMES, startHarness, type Harness } from './harness.js';

interface Answer {
  statusCode: number;
  body: string;
}

/** The answer carries the registry's status for `code`, and only a code and a message. */
function expectError(r: Answer, code: ErrorCode, status: number) {
  expect(httpStatusOf(code)).toBe(status);
  expect([r.statusCode, JSON.parse(r.body)]).toEqual([
    status,
    { error: { code, message: expect.stringMatching(/\S/) as unknown } },
  ]);
}

describe.each(BACKEND_NAMES)('the error path on %s', (backend) => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness(backend);
  });
  afterAll(async () => {
    await h?.close();
  });

  const createToken = () =>
    h.app.inject({
      method: 'POST',
      url: '/api/v1/tokens',
      headers: { ...h.auth('admin'), 'content-type': 'application/json' },
      payload: { name: 'ci', role: 'auditor' },
    });

  it("answers a service's PatchloopError with its code's status from the registry", async () => {
    const user = await h.app.inject({
      method: 'PATCH',
      url: '/api/v1/users/nobody-here',
      headers: { ...h.auth('admin'), 'content-type': 'application/json' },
      payload: { role: 'auditor' },
    });
    expectError(user, 'PL_NOT_FOUND', 404);
    expect(JSON.parse(user.body).error.message).toBe('no user nobody-here');

    const deploy = await h.app.inject({
      method: 'POST',
      url: '/api/v1/deployments',
      headers: { ...h.auth('operator'), 'content-type': 'application/json' },
      payload: { policy: 'no-such-policy' },
    });
    expectError(deploy, 'PL_NOT_FOUND', 404);

    const signIn = await h.app.inject({
      method: 'POST',
      url: '/api/v1/sessions',
      remoteAddress: '192.0.2.40',
      payload: { username: 'nobody-here', password: 'not the password at all' },
    });
    expectError(signIn, 'PL_AUTH_REQUIRED', 401);
  });

  it('answers a wrong media type 415 PL_MEDIA_TYPE_UNSUPPORTED, from a route or from the framework', async () => {
    const feed = await h.app.inject({
      method: 'POST',
      url: '/api/v1/feeds/kev/import?name=kev.json',
      headers: { ...h.auth('admin'), 'content-type': 'text/plain' },
      payload: '{}',
    });
    expectError(feed, 'PL_MEDIA_TYPE_UNSUPPORTED', 415);
    expect(JSON.parse(feed.body).error.message).toBe('send the feed file as application/octet-stream');
    const form = await h.app.inject({
      method: 'POST',
      url: '/api/v1/tokens',
      headers: { ...h.auth('admin'), 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'name=x',
    });
    expectError(form, 'PL_MEDIA_TYPE_UNSUPPORTED', 415);
  });

  it("answers a fault of the server's own store 500 with its code (a missing audit head)", async () => {
    expect((await createToken()).statusCode).toBe(201);
    const head = await h.db.query<{ seq: number; hash: string }>('SELECT seq, hash FROM audit_head');
    const saved = head.rows[0];
    expect(saved).toBeDefined();
    await h.db.exec('DELETE FROM audit_head');
    try {
      const r = await createToken();
      expectError(r, 'PL_AUDIT_HEAD_MISMATCH', 500);
      // The token was not created: its audit event could not be written.
      const list = await h.app.inject({ method: 'GET', url: '/api/v1/tokens', headers: h.auth('admin') });
      expect(
        (list.json() as { items: { name: string }[] }).items.filter((t) => t.name === 'ci'),
      ).toHaveLength(1);
    } finally {
      await h.db.query('INSERT INTO audit_head (id, seq, hash) VALUES (1, $1, $2)', [
        saved?.seq,
        saved?.hash,
      ]);
    }
    expect((await createToken()).statusCode).toBe(201);
  });

  it('answers an error without a code 500 PL_INTERNAL, and keeps its cause out of the answer', async () => {
    await h.db.exec(`
      CREATE FUNCTION pl_test_refuse_token() RETURNS trigger LANGUAGE plpgsql AS
        $$ BEGIN RAISE EXCEPTION 'injected fault 7f3a'; END $$;
      CREATE TRIGGER pl_test_refuse_token BEFORE INSERT ON api_token
        FOR EACH ROW EXECUTE FUNCTION pl_test_refuse_token();`);
    try {
      const r = await createToken();
      expectError(r, 'PL_INTERNAL', 500);
      expect(JSON.parse(r.body).error.message).toBe('internal server error');
      expect(r.body).not.toContain('7f3a');
    } finally {
      await h.db.exec(
        'DROP TRIGGER pl_test_refuse_token ON api_token; DROP FUNCTION pl_test_refuse_token();',
      );
    }
  });
});
