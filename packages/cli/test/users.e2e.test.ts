/**
 * `patchloop users`: the way back in when the admin password is lost. A real
 * server makes the store and stops; the offline command resets the password
 * (generated and printed once, or read from stdin), audited as `cli`; the
 * server started again accepts the new password and not the old one.
 */
import { describe, expect, it } from 'vitest';
import { startServer, tempDir } from './fleet-lab.js';
import { patchloopAsync } from './run.js';

const signIn = async (url: string, password: string) =>
  (
    await fetch(`${url}/api/v1/sessions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'admin', password }),
    })
  ).status;

describe('patchloop users', () => {
  it('lists users and resets a password on the store, offline, audited as cli', async () => {
    const dataDir = tempDir('users');
    const env = { PATCHLOOP_ADMIN_PASSWORD: 'first-password-0123', PATCHLOOP_FEED_SYNC_INTERVAL: '0' };
    const first = await startServer(['--data-dir', dataDir], env);
    expect(await signIn(first.url, 'first-password-0123')).toBe(201);
    const token = /admin API token: (\S+)/.exec(first.output())?.[1] as string;
    await first.stop();

    const list = await patchloopAsync(['users', 'list', '--data-dir', dataDir]);
    expect([list.status, list.stdout.split('\n')[1]]).toEqual([
      0,
      expect.stringMatching(/^admin\s+admin\s+\S+\s+enabled$/),
    ]);

    const generated = await patchloopAsync(['users', 'reset-password', 'admin', '--data-dir', dataDir]);
    expect(generated.status, generated.stderr).toBe(0);
    const password = /^password of admin: (\S+)\n$/.exec(generated.stdout)?.[1] as string;
    expect(password.length).toBeGreaterThanOrEqual(12);
    expect(generated.stderr).toContain('shown once');

    const short = await patchloopAsync(
      ['users', 'reset-password', 'admin', '--password-stdin', '--data-dir', dataDir],
      'short\n',
    );
    expect([short.status, short.stderr]).toEqual([
      1,
      'error PL_REQUEST_INVALID: password must be at least 12 characters\n',
    ]);
    const unknown = await patchloopAsync(['users', 'reset-password', 'nobody', '--data-dir', dataDir]);
    expect([unknown.status, unknown.stderr]).toEqual([1, 'error PL_NOT_FOUND: no user nobody\n']);

    // The variable still names the first password, applied before: the start says it is ignored.
    const second = await startServer(['--data-dir', dataDir], env);
    try {
      expect(second.output()).toContain('PATCHLOOP_ADMIN_PASSWORD is ignored');
      expect(await signIn(second.url, password)).toBe(201);
      expect(await signIn(second.url, 'first-password-0123')).toBe(401);
      const trail = (await (
        await fetch(`${second.url}/api/v1/audit?target=user:admin&action=user.password-reset`, {
          headers: { authorization: `Bearer ${token}` },
        })
      ).json()) as { items: { actor: string; after: { via?: string } }[] };
      expect(trail.items.map((e) => [e.actor, e.after.via])).toEqual([
        ['cli', 'patchloop users reset-password'],
      ]);
    } finally {
      await second.stop();
    }
    const fromStdin = await patchloopAsync(
      ['users', 'reset-password', 'admin', '--password-stdin', '--data-dir', dataDir],
      'chosen-password-0123\n',
    );
    expect([fromStdin.status, fromStdin.stdout]).toEqual([
      0,
      expect.stringContaining('password of admin set'),
    ]);
    const audit = await patchloopAsync(['audit', 'verify', '--data-dir', dataDir]);
    expect(audit.status, audit.stdout).toBe(0);
  }, 180_000);
});
