/**
 * For tests and benchmarks (`@patchloop/test-support/pg`): a throwaway PostgreSQL cluster (initdb + pg_ctl) in a temp
 * directory on a free loopback port. As root it runs as the `postgres` user
 * (PostgreSQL refuses to run as root). The server binaries are found under
 * /usr/lib/postgresql/<version>/bin or through PATCHLOOP_PG_BIN.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface PgCluster {
  readonly url: string;
  /** Stops the cluster for good and removes its files. */
  stop(): void;
  /**
   * Stops the server, keeping its data, as a restart or a crash would:
   * 'fast' ends every connection cleanly, 'immediate' is a crash (recovery at the next start).
   */
  halt(mode: 'fast' | 'immediate'): void;
  /** Starts a halted server again on the same port. */
  resume(): void;
}

export interface PgClusterOptions {
  /**
   * Commits reach the disk before they are acknowledged (fsync, synchronous commit), so a crash
   * ('immediate' halt) loses nothing acknowledged. The default trades that for speed.
   */
  readonly durable?: boolean;
}

export function findPgBin(): string {
  const forced = process.env.PATCHLOOP_PG_BIN;
  if (forced) return forced;
  const base = '/usr/lib/postgresql';
  const versions = existsSync(base)
    ? readdirSync(base)
        .filter((v) => existsSync(join(base, v, 'bin', 'initdb')))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (versions.length === 0) {
    throw new Error(
      'PostgreSQL server binaries not found: apt-get install postgresql (or set PATCHLOOP_PG_BIN)',
    );
  }
  return join(base, versions[0] as string, 'bin');
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

function pgUser(): { uid: number; gid: number; name: string } | null {
  if (process.getuid?.() !== 0) return null;
  const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
  const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
  return { uid, gid, name: 'postgres' };
}

export async function startPgCluster(opts: PgClusterOptions = {}): Promise<PgCluster> {
  const bin = findPgBin();
  const user = pgUser();
  const dir = mkdtempSync(join(tmpdir(), 'pl-pg-'));
  chmodSync(dir, 0o700);
  if (user) chownSync(dir, user.uid, user.gid);
  const data = join(dir, 'data');
  const run = (cmd: string, args: string[]) => {
    const full = user
      ? ['runuser', ['-u', user.name, '--', join(bin, cmd), ...args]]
      : [join(bin, cmd), args];
    const r = spawnSync(full[0] as string, full[1] as string[], { encoding: 'utf8', cwd: dir });
    if (r.status !== 0) throw new Error(`${cmd} failed (${r.status}): ${r.stderr || r.stdout}`);
  };
  run('initdb', [
    '-D',
    data,
    '-U',
    'patchloop',
    '--auth=trust',
    '--encoding=UTF8',
    '--locale=C',
    '--no-sync',
  ]);
  const port = await freePort();
  const settings = opts.durable ? '' : ' -c fsync=off -c full_page_writes=off -c synchronous_commit=off';
  const startServer = () =>
    run('pg_ctl', [
      '-D',
      data,
      '-l',
      join(dir, 'log'),
      '-w',
      '-t',
      '60',
      '-o',
      `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1${settings}`,
      'start',
    ]);
  startServer();
  run('createdb', ['-h', '127.0.0.1', '-p', String(port), '-U', 'patchloop', 'patchloop']);
  let stopped = false;
  let halted = false;
  return {
    url: `postgresql://patchloop@127.0.0.1:${port}/patchloop`,
    halt(mode) {
      run('pg_ctl', ['-D', data, '-m', mode, '-w', 'stop']);
      halted = true;
    },
    resume() {
      startServer();
      halted = false;
    },
    stop() {
      if (stopped) return;
      stopped = true;
      try {
        if (!halted) run('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

/** A fresh, empty database in the cluster for one test file or test. */
export async function createDatabase(baseUrl: string, name: string): Promise<string> {
  const pg = (await import('pg')).default;
  const client = new pg.Client({ connectionString: baseUrl });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS "${name}"`);
    await client.query(`CREATE DATABASE "${name}"`);
  } finally {
    await client.end();
  }
  const u = new URL(baseUrl);
  u.pathname = `/${name}`;
  return u.toString();
}
