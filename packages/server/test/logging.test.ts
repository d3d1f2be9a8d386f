/** Credentials never reach the server log, whatever is logged about a request. */
import { Writable } from 'node:stream';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '@patchloop/store';
import { describe, expect, it } from 'vitest';
import { build, REDACT } from '../src/app.js';
import { bootstrap } from '../src/auth/bootstrap.js';
import { loadServerConfig } from '../src/config.js';
import { createContext } from '../src/context.js';

describe('server logs', () => {
  it('redact tokens, passwords and the enrollment secret', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pl-log-'));
    const db = await openStore({ dataDir: dir });
    let log = '';
    const stream = new Writable({
      write(chunk: Buffer, _enc, done) {
        log += chunk.toString();
        done();
      },
    });
    const token = 'log-test-admin-token-0123456789';
    const secret = 'log-test-enroll-secret-0123456789';
    const ctx = createContext(
      db,
      loadServerConfig({ PATCHLOOP_ADMIN_TOKEN: token, PATCHLOOP_ENROLL_SECRET: secret }),
    );
    await bootstrap(ctx);
    const app = await build(ctx, { logger: { level: 'trace', redact: REDACT, stream } });
    try {
      await app.inject({
        method: 'GET',
        url: '/api/v1/hosts',
        headers: { authorization: `Bearer ${token}` },
      });
      const e = await app.inject({
        method: 'POST',
        url: '/api/v1/enroll',
        payload: { secret, machineId: 'machine-log-0001', hostname: 'h', tags: [] },
      });
      const credential = (e.json() as { credential: string }).credential;
      await app.inject({
        method: 'POST',
        url: '/api/v1/sessions',
        payload: { username: 'admin', password: 'wrong-password-123' },
      });
      // Something is logged about every request, and no secret is in it.
      expect(log).toContain('/api/v1/enroll');
      for (const s of [token, secret, credential, 'wrong-password-123']) expect(log).not.toContain(s);
      // The redaction itself works when a request's headers are logged.
      app.log.info(
        { request: { headers: { authorization: `Bearer ${token}` } }, body: { secret } },
        'explicit',
      );
      expect(log).toContain('[Redacted]');
      expect(log).not.toContain(token);
      expect(log).not.toContain(secret);
    } finally {
      await app.close();
      await db.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
