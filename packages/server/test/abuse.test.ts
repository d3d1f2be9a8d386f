/**
 * Abuse limits (issue 15): password guessing counted in the store before any
 * hashing (concurrent guesses and several replicas included), enrollment
 * attempts throttled, hostile request bodies refused with a PL_ code.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { build } from '../src/app.js';
import { createContext } from '../src/context.js';
import type { App } from '../src/api.js';
import { BACKEND_NAMES, startHarness, type Harness } from './harness.js';

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
