/**
 * Abuse limits (issue 15): password guessing counted in the store before any
 * hashing (concurrent guesses and several replicas included), enrollment
 * attempts throttled, hostile request bodies refused with a PL_ code.
 */
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { putSetting } from '@patchloop/store';
import { build } from '../src/app.js';
import { loadServerConfig } from '../src/config.js';
import { plainHttpWarning } from '../src/services/agent-install.js';
import { bootstrap } from '../src/auth/bootstrap.js';
import { createContext } from '../src/context.js';
import type { App } from '../src/api.js';
import { checkin, enrollHost, facts, fullCheckin } from '@patchloop/test-support/agent-protocol';
import { BACKEND_NAMES, ENROLL_SECRET, startHarness, type Harness } from './harness.js';

const DEBIAN = { id: 'debian', versionId: '12', codename: 'bookworm', prettyName: 'Debian GNU/Linux 12' };

const PASSWORD = 'abuse-password-0123456789';

const code = (r: { json(): unknown }) => (r.json() as { error?: { code: string } }).error?.code;

describe.each(BACKEND_NAMES)('abuse limits on %s', (backend) => {
  let h: Harness;
  /** A second replica: its own context and app on the same store. */
  let replica: App;

  beforeAll(async () => {
    h = await startHarness(backend, { config: { adminPassword: PASSWORD } });
    replica = await build(createContext(h.db, h.ctx.config));
  });

  afterAll(async () => {
    await replica.close();
    await h?.close();
  });

  const signIn = (app: App, password: string, address: string, username = 'admin') =>
    app.inject({
      method: 'POST',
      url: '/api/v1/sessions',
      remoteAddress: address,
      payload: { username, password },
    });

  it('counts 40 concurrent wrong passwords before hashing: 5 checked, the rest refused', async () => {
    const results = await Promise.all(
      Array.from({ length: 40 }, (_, i) => signIn(i % 2 ? replica : h.app, `guess-${i}`, '198.51.100.7')),
    );
    const statuses = results.map((r) => r.statusCode);
    expect(statuses.filter((s) => s === 401)).toHaveLength(5);
    expect(statuses.filter((s) => s === 429)).toHaveLength(35);
    const right = await signIn(h.app, PASSWORD, '198.51.100.7');
    expect(right.statusCode).toBe(429);
    expect(code(right)).toBe('PL_AUTH_THROTTLED');
    expect(Number(right.headers['retry-after'])).toBeGreaterThan(800);
    // Another address is not refused, and a right password gives its attempt back.
    expect((await signIn(replica, PASSWORD, '198.51.100.8')).statusCode).toBe(201);
  });

  it('refuses NUL bytes, lone surrogates and integers beyond 64 bits with 400 PL_REQUEST_INVALID', async () => {
    const post = (url: string, raw: string) =>
      h.app.inject({
        method: 'POST',
        url,
        headers: { ...h.auth('admin'), 'content-type': 'application/json' },
        payload: raw,
      });
    const cases: [string, string, RegExp][] = [
      ['/api/v1/tokens', '{"name":"a\\u0000b","role":"auditor"}', /NUL/],
      ['/api/v1/tokens', '{"name":"a\\ud800b","role":"auditor"}', /surrogate/],
      ['/api/v1/tokens', '{"name":"\\udc00","role":"auditor"}', /surrogate/],
      ['/api/v1/hosts/tags', '{"hostIds":[99999999999999999999999],"add":["x"]}', /integer/],
      ['/api/v1/hosts/tags', '{"hostIds":[9223372036854775808],"add":["x"]}', /integer/],
      ['/api/v1/deployments', '{"hosts":[1e300],"packages":[{"name":"x"}]}', /integer/],
    ];
    for (const [url, raw, message] of cases) {
      const r = await post(url, raw);
      expect([raw, r.statusCode, code(r)]).toEqual([raw, 400, 'PL_REQUEST_INVALID']);
      expect((r.json() as { error: { message: string } }).error.message).toMatch(message);
    }
    // A well-formed surrogate pair (an emoji) is text like any other.
    const ok = await post('/api/v1/tokens', '{"name":"ok \\ud83d\\ude00","role":"auditor"}');
    expect(ok.statusCode).toBe(201);
  });

  it('refuses a YAML alias bomb and NUL bytes in a policy with 400, not 500', async () => {
    const put = (body: string) =>
      h.app.inject({
        method: 'PUT',
        url: '/api/v1/policies/bomb',
        headers: { ...h.auth('admin'), 'content-type': 'application/yaml' },
        payload: body,
      });
    const bomb = [
      'a: &a ["x","x","x","x","x","x","x","x","x"]',
      ...'bcdefghi'.split('').map((k, i) => `${k}: &${k} [${Array(9).fill(`*${'abcdefghi'[i]}`).join(',')}]`),
      'name: bomb',
    ].join('\n');
    const r = await put(bomb);
    expect([r.statusCode, code(r)]).toEqual([400, 'PL_POLICY_INVALID']);
    const nul = await put('name: bomb\nselector:\n  tags: ["a\\0b"]\n');
    expect(nul.statusCode).toBe(400);
  });

  it('records the heartbeat of a check-in that fails afterwards with 500', async () => {
    const { hostId, credential } = await enrollHost(h.app, 'machine-heartbeat-01', 'hb');
    // A database fault on the agent's version (any later part of a check-in may fail like this).
    await h.db.exec(`
      CREATE FUNCTION pl_test_refuse() RETURNS trigger LANGUAGE plpgsql AS
        $$ BEGIN RAISE EXCEPTION 'injected fault'; END $$;
      CREATE TRIGGER pl_test_refuse BEFORE UPDATE OF agent_version ON host
        FOR EACH ROW WHEN (NEW.id = ${hostId}) EXECUTE FUNCTION pl_test_refuse();`);
    try {
      const body = fullCheckin('machine-heartbeat-01', facts('hb', DEBIAN), 'dpkg', []);
      const r = await checkin(h.app, credential, body);
      expect([r.statusCode, code(r)]).toEqual([500, 'PL_INTERNAL']);
      const seen = await h.db.query<{ last_seen: unknown }>('SELECT last_seen FROM host WHERE id = $1', [
        hostId,
      ]);
      expect(seen.rows[0]?.last_seen).not.toBeNull();
    } finally {
      await h.db.exec('DROP TRIGGER pl_test_refuse ON host; DROP FUNCTION pl_test_refuse();');
    }
  });

  it('exports a hostname that a spreadsheet would run as a formula, after spaces too, as text', async () => {
    await enrollHost(h.app, 'machine-formula-01', '  =HYPERLINK("http://x")');
    const r = await h.app.inject({
      method: 'GET',
      url: '/api/v1/hosts?format=csv',
      headers: h.auth('auditor'),
    });
    expect(r.statusCode).toBe(200);
    expect(r.body).toContain(`"'  =HYPERLINK(""http://x"")"`);
  });

  it('throttles enrollment with wrong secrets per address, across replicas; right ones do not count', async () => {
    const enroll = (app: App, secret: string, address: string, machineId: string) =>
      app.inject({
        method: 'POST',
        url: '/api/v1/enroll',
        remoteAddress: address,
        payload: { secret, machineId, hostname: machineId, tags: [] },
      });
    // Right secrets from one address (a fleet behind one NAT) are never refused.
    for (let i = 0; i < 35; i++) {
      expect((await enroll(h.app, ENROLL_SECRET, '198.51.100.20', `machine-nat-${i}`)).statusCode).toBe(201);
    }
    const wrong = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        enroll(
          i % 2 ? replica : h.app,
          `wrong-secret-${i}-0123456789`,
          '198.51.100.21',
          `machine-guess-${i}`,
        ),
      ),
    );
    expect(wrong.filter((r) => r.statusCode === 401)).toHaveLength(30);
    const refused = wrong.filter((r) => r.statusCode === 429);
    expect(refused).toHaveLength(10);
    expect(code(refused[0]!)).toBe('PL_ENROLL_THROTTLED');
    expect(Number(refused[0]!.headers['retry-after'])).toBeGreaterThan(800);
    // Even the right secret waits now from that address; other addresses do not.
    expect((await enroll(h.app, ENROLL_SECRET, '198.51.100.21', 'machine-late-1')).statusCode).toBe(429);
    expect((await enroll(h.app, ENROLL_SECRET, '198.51.100.22', 'machine-late-2')).statusCode).toBe(201);
  });

  it('refuses an API token named like a console session', async () => {
    for (const name of ['session:admin', ' Session:admin']) {
      const r = await h.app.inject({
        method: 'POST',
        url: '/api/v1/tokens',
        headers: h.auth('admin'),
        payload: { name, role: 'auditor' },
      });
      expect([name, r.statusCode, code(r)]).toEqual([name, 400, 'PL_REQUEST_INVALID']);
    }
  });

  it('sets the security headers on every response, /api/docs and errors included', async () => {
    for (const url of [
      '/api/docs',
      '/api/docs/static/index.html',
      '/api/v1/hosts',
      '/healthz',
      '/nothing-here',
    ]) {
      const r = await h.app.inject({ method: 'GET', url, headers: h.auth('auditor') });
      expect([url, r.statusCode < 500]).toEqual([url, true]);
      expect([url, r.headers['content-security-policy']]).toEqual([
        url,
        expect.stringContaining("frame-ancestors 'none'"),
      ]);
      expect(r.headers['content-security-policy']).toContain("script-src 'self'");
      expect([
        r.headers['x-content-type-options'],
        r.headers['x-frame-options'],
        r.headers['referrer-policy'],
      ]).toEqual(['nosniff', 'DENY', 'same-origin']);
    }
  });

  // A database error's detail quotes values (a unique violation: "Key (x)=(value) already exists").
  it('logs a failed query without its parameters', async () => {
    let log = '';
    const stream = new Writable({
      write(chunk: Buffer, _enc, done) {
        log += chunk.toString();
        done();
      },
    });
    const logged = await build(createContext(h.db, h.ctx.config), { logger: { level: 'warn', stream } });
    const { hostId, credential } = await enrollHost(h.app, 'machine-logparams-01', 'lp');
    await h.db.exec(`
      CREATE FUNCTION pl_test_refuse2() RETURNS trigger LANGUAGE plpgsql AS
        $$ BEGIN RAISE EXCEPTION 'injected fault' USING DETAIL = 'Key (v)=(' || NEW.agent_version || ')'; END $$;
      CREATE TRIGGER pl_test_refuse2 BEFORE UPDATE OF agent_version ON host
        FOR EACH ROW WHEN (NEW.id = ${hostId}) EXECUTE FUNCTION pl_test_refuse2();`);
    try {
      const body = {
        ...fullCheckin('machine-logparams-01', facts('lp', DEBIAN), 'dpkg', []),
        agentVersion: 'param-canary-77',
      };
      const r = await checkin(logged, credential, body);
      expect(r.statusCode).toBe(500);
      expect(log).toContain('injected fault');
      expect(log).not.toContain('param-canary-77');
    } finally {
      await h.db.exec('DROP TRIGGER pl_test_refuse2 ON host; DROP FUNCTION pl_test_refuse2();');
      await logged.close();
    }
  });

  it('counts an account across addresses and replicas: at most 20 wrong passwords in the window', async () => {
    const results = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        signIn(i % 2 ? replica : h.app, `guess-${i}`, `203.0.113.${i + 1}`, 'nobody'),
      ),
    );
    const statuses = results.map((r) => r.statusCode);
    expect(statuses.filter((s) => s === 401)).toHaveLength(20);
    expect(statuses.filter((s) => s === 429)).toHaveLength(20);
  });
});

describe.each(BACKEND_NAMES)('the enrollment secret on %s', (backend) => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness(backend, { config: { enrollSecret: undefined } });
  });

  afterAll(async () => {
    await h?.close();
  });

  const enroll = (secret: string, machineId: string) =>
    h.app.inject({
      method: 'POST',
      url: '/api/v1/enroll',
      payload: { secret, machineId, hostname: machineId, tags: [] },
    });
  const secretSettings = async () =>
    (
      await h.db.query<{ key: string; value: string }>(
        "SELECT key, value FROM setting WHERE key LIKE 'enroll_secret%' ORDER BY key",
      )
    ).rows;

  it('is returned for printing only when generated, and kept only as a hash', async () => {
    // The harness's start generated it; a later start has nothing to print.
    expect((await bootstrap(h.ctx)).enrollSecret).toBeNull();
    expect(await secretSettings()).toEqual([
      { key: 'enroll_secret_hash', value: expect.stringMatching(/^sha256\$[0-9a-f]{64}$/) },
    ]);
  });

  it('hashes a secret an older version stored as it is, which keeps working', async () => {
    const legacy = 'legacy-enroll-secret-0123456789';
    await h.db.query("DELETE FROM setting WHERE key = 'enroll_secret_hash'");
    await putSetting(h.db, 'enroll_secret', legacy, new Date());
    expect((await bootstrap(h.ctx)).enrollSecret).toBeNull();
    const stored = await secretSettings();
    expect(stored.map((r) => r.key)).toEqual(['enroll_secret_hash']);
    expect(JSON.stringify(stored)).not.toContain(legacy);
    expect((await enroll(legacy, 'machine-legacy-0001')).statusCode).toBe(201);
    expect((await enroll('legacy-enroll-secret-wrong', 'machine-legacy-0002')).statusCode).toBe(401);
  });

  it("accepts the process's own secret (its in-process agent), which is never stored", async () => {
    expect((await enroll(h.ctx.localEnrollSecret, 'machine-local-0001')).statusCode).toBe(201);
    expect(JSON.stringify(await secretSettings())).not.toContain(h.ctx.localEnrollSecret);
  });
});

describe('plain HTTP beyond loopback', () => {
  it('is warned about unless the public URL is https, where the session cookie is Secure', async () => {
    const config = (host: string, publicUrl?: string) =>
      loadServerConfig({ PATCHLOOP_HOST: host, ...(publicUrl ? { PATCHLOOP_PUBLIC_URL: publicUrl } : {}) });
    expect(plainHttpWarning(config('0.0.0.0'))).toMatch(/listens on 0\.0\.0\.0 over plain HTTP/);
    expect(plainHttpWarning(config('10.1.2.3', 'http://patchloop.lan'))).toMatch(/plain HTTP/);
    expect(plainHttpWarning(config('127.0.0.1'))).toBeNull();
    expect(plainHttpWarning(config('0.0.0.0', 'https://patchloop.example.com'))).toBeNull();
    const h = await startHarness('pglite', {
      config: { adminPassword: PASSWORD, publicUrl: 'https://patchloop.example.com', host: '0.0.0.0' },
    });
    try {
      const r = await h.app.inject({
        method: 'POST',
        url: '/api/v1/session',
        payload: { username: 'admin', password: PASSWORD },
      });
      expect(r.statusCode).toBe(201);
      expect(String(r.headers['set-cookie'])).toMatch(/; Secure/i);
    } finally {
      await h.close();
    }
  });
});
