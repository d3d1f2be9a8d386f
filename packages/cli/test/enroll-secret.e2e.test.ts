/**
 * Where a real `patchloop agent` process takes the enrollment secret from: a
 * file (--enroll-secret-file) or PATCHLOOP_ENROLL_SECRET, kept out of the
 * process list; --enroll-secret still works but warns that `ps` shows it.
 */
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { client, csvPackages, debianBusterRoot, startServer, tempDir, type Proc } from './fleet-lab.js';
import { patchloopAsync } from './run.js';

const ADMIN = 'e2e-admin-token-0123456789';
const SECRET = 'e2e-enroll-secret-0123456789';

describe('the agent reads the enrollment secret from a file or the environment', () => {
  let server: Proc & { url: string };
  const cwd = tempDir('secret-cwd');
  const root = (name: string) =>
    debianBusterRoot(
      name,
      createHash('sha256').update(name).digest('hex').slice(0, 32),
      csvPackages('debian-buster.csv').slice(0, 5),
    ).root;
  const agent = (args: string[], env: Record<string, string> = {}) =>
    patchloopAsync(['agent', '--server', server.url, '--once', ...args], '', env, cwd);

  beforeAll(async () => {
    server = await startServer(['--data-dir', tempDir('secret-store')], {
      PATCHLOOP_ADMIN_TOKEN: ADMIN,
      PATCHLOOP_ENROLL_SECRET: SECRET,
      PATCHLOOP_FEED_SYNC_INTERVAL: '0',
      PATCHLOOP_LOG_LEVEL: 'warn',
    });
  }, 120_000);
  afterAll(() => server?.stop());

  it('enrolls with --enroll-secret-file and with PATCHLOOP_ENROLL_SECRET, without a warning', async () => {
    const file = join(cwd, 'enroll-secret');
    writeFileSync(join(cwd, 'enroll-secret'), `${SECRET}\n`, { mode: 0o600 });
    const byFile = await agent(['--enroll-secret-file', file, '--root', root('file-host')]);
    expect(byFile.status, byFile.stderr).toBe(0);
    expect(byFile.stderr).not.toContain('warning: --enroll-secret');
    const byEnv = await agent(['--root', root('env-host')], { PATCHLOOP_ENROLL_SECRET: SECRET });
    expect(byEnv.status, byEnv.stderr).toBe(0);
    expect(byEnv.stderr).not.toContain('warning: --enroll-secret');
    const hosts = await client(server.url, ADMIN)<{ total: number }>('/api/v1/hosts');
    expect(hosts.total).toBe(2);
  });

  it('warns when the secret is on the command line, and says when the file cannot be read', async () => {
    const argv = await agent(['--enroll-secret', SECRET, '--root', root('argv-host')]);
    expect(argv.status, argv.stderr).toBe(0);
    expect(argv.stderr).toContain('warning: --enroll-secret puts the secret in the process list (ps)');
    const missing = await agent(['--enroll-secret-file', join(cwd, 'nope'), '--root', root('nofile-host')]);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain('cannot read --enroll-secret-file');
  });
});
