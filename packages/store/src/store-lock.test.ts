import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openStore } from './open.js';
import { acquireStoreLock, LOCK_FILE } from './store-lock.js';

const dirs: string[] = [];
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'pl-lock-'));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** The pid of a process that has exited (a stale lock's owner). */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], {
    encoding: 'utf8',
  });
  return Number(r.stdout);
}

describe('the embedded store lock', () => {
  it('refuses a second open naming the owner, and frees the store on close', async () => {
    const dir = tempDir();
    const db = await openStore({ dataDir: dir });
    db.announce?.('http://127.0.0.1:8123');
    const err = await openStore({ dataDir: dir }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'PL_STORE_IN_USE' });
    const msg = (err as Error).message;
    expect(msg).toContain(`pid ${process.pid}`);
    expect(msg).toContain('--server http://127.0.0.1:8123 --token');
    await db.close();
    expect(existsSync(join(dir, LOCK_FILE))).toBe(false);
    const again = await openStore({ dataDir: dir });
    await again.close();
  });

  it('takes over a lock whose process is gone, and one left by an earlier process with our pid', () => {
    const dir = tempDir();
    const path = join(dir, LOCK_FILE);
    const stale = {
      pid: deadPid(),
      host: hostname(),
      processStart: '1',
      command: 'patchloop up',
      since: 'x',
    };
    writeFileSync(path, JSON.stringify(stale));
    const lock = acquireStoreLock(dir, 'test');
    expect(JSON.parse(readFileSync(path, 'utf8'))).toMatchObject({ pid: process.pid, command: 'test' });
    lock.release();
    // A container's pid 1 after a restart: same pid, another start time.
    writeFileSync(path, JSON.stringify({ ...stale, pid: process.pid, processStart: '0' }));
    acquireStoreLock(dir, 'test').release();
    expect(existsSync(path)).toBe(false);
  });

  it('never guesses about a lock taken on another machine (a shared disk)', () => {
    const dir = tempDir();
    writeFileSync(
      join(dir, LOCK_FILE),
      JSON.stringify({
        pid: 1,
        host: 'another-host',
        processStart: null,
        command: 'patchloop up',
        since: 'x',
      }),
    );
    expect(() => acquireStoreLock(dir, 'test')).toThrow(/in use by `patchloop up` \(pid 1 on another-host/);
  });
});
