/**
 * PostgreSQL going away under a running server (#15): a real `patchloop
 * server` process on its own durable PostgreSQL cluster, real agents (the
 * `Agent` class) checking in all the while with an inventory that changes at
 * every check-in. PostgreSQL's connections are terminated, it is restarted,
 * and it crashes; the server must stay up, say it is not ready while the
 * database is gone, serve again by itself, and every inventory it
 * acknowledged must be the one stored (nothing acknowledged is lost). A
 * server started before its database waits for it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPostgres } from '@patchloop/store';
import { createDatabase, startPgCluster, type PgCluster } from '@patchloop/test-support/pg';
import { type Proc, signingKeyFile, start, tempDir, waitFor } from '../fleet-lab.js';
import { probeAgent, probePackage } from './probe-agent.js';

const ADMIN = 'faults-admin-token-0123456789';
const SECRET = 'faults-enroll-secret-0123456789';
const AGENTS = 4;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** An agent whose package "pl-fault-probe" has version 1.<n> at its n-th collection. */
function faultAgent(url: string, i: number, dir: string) {
  return probeAgent({
    server: url,
    enrollSecret: SECRET,
    dir,
    index: i,
    machineIdFill: 'f',
    hostname: `fault-${i}`,
    changing: (n) => [probePackage('pl-fault-probe', `1.${n}`)],
  });
}

describe('the server while its PostgreSQL terminates connections, restarts and crashes', () => {
  let cluster: PgCluster;
  let dbUrl: string;
  let server: Proc | null = null;
  let url = '';
  const dir = tempDir('faults');

  beforeAll(async () => {
    cluster = await startPgCluster({ durable: true });
    dbUrl = await createDatabase(cluster.url, 'faults');
  });
  afterAll(async () => {
    server?.child.kill('SIGKILL');
    cluster?.stop();
  });

  const ready = async () => (await fetch(`${url}/readyz`)).status;

  it('a server started before its database waits for it, then serves', async () => {
    cluster.halt('fast');
    server = start(['server', '--port', '0'], {
      PATCHLOOP_DATABASE_URL: dbUrl,
      PATCHLOOP_ADMIN_TOKEN: ADMIN,
      PATCHLOOP_ENROLL_SECRET: SECRET,
      PATCHLOOP_FEED_SYNC_INTERVAL: '0',
      PATCHLOOP_DB_WAIT: '90s',
      // A server on PostgreSQL refuses to start without its job signing key file.
      PATCHLOOP_JOB_SIGNING_KEY_FILE: signingKeyFile(),
      PATCHLOOP_LOG_LEVEL: 'warn',
    });
    const s = server;
    await waitFor('the server to say it waits for PostgreSQL', async () => {
      if (s.child.exitCode !== null) throw new Error(`server exited: ${s.output()}`);
      return /waiting for PostgreSQL/.test(s.output()) ? true : null;
    });
    await sleep(1500);
    expect(s.child.exitCode).toBeNull();
    cluster.resume();
    url = await waitFor('the server to listen', async () => {
      if (s.child.exitCode !== null) throw new Error(`server exited: ${s.output()}`);
      return /listening on (http:\/\/\S+)/.exec(s.output())?.[1] ?? null;
    });
    expect(await ready()).toBe(200);
  }, 120_000);

  it('stays up through each fault, is unready while the database is gone, and loses nothing acknowledged', async () => {
    const agents = Array.from({ length: AGENTS }, (_, i) => faultAgent(url, i, dir));
    for (const a of agents) expect((await a.agent.checkinOnce()).sent).toBe('full');
    /** Per agent: the probe version of its last acknowledged check-in, and failures seen. */
    const acked = agents.map(() => 0);
    const failures: string[] = [];
    let okCount = 0;
    let on = true;
    const load = agents.map(async (a, i) => {
      while (on) {
        try {
          await a.agent.checkinOnce();
          acked[i] = a.collected();
          okCount++;
        } catch (e) {
          failures.push((e as Error).message);
        }
        await sleep(100);
      }
    });
    const servesAgain = async (what: string) => {
      await waitFor(
        `${what}: /readyz 200 again`,
        async () => ((await ready()) === 200 ? true : null),
        60_000,
      );
      const before = okCount;
      await waitFor(
        `${what}: check-ins acknowledged again`,
        async () => (okCount > before + AGENTS ? true : null),
        60_000,
      );
    };
    // 1. Every server connection terminated (a failover, pg_terminate_backend, idle_session_timeout).
    await sleep(1000);
    const admin = await openPostgres(dbUrl, { poolSize: 1 });
    const killed = await admin.query<{ t: boolean }>(
      `SELECT pg_terminate_backend(pid) AS t FROM pg_stat_activity WHERE datname = 'faults' AND pid <> pg_backend_pid()`,
    );
    await admin.close();
    expect(killed.rows.filter((r) => r.t).length).toBeGreaterThan(0);
    await servesAgain('terminated connections');

    // 2. A restart: unready while down (liveness still answers), ready again by itself.
    cluster.halt('fast');
    await waitFor(
      '/readyz 503 while PostgreSQL is down',
      async () => ((await ready()) === 503 ? true : null),
      30_000,
    );
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    // Down for longer than a request waits for it (15 s): check-ins are answered 503 meanwhile.
    await sleep(18_000);
    cluster.resume();
    await servesAgain('restart');

    // 3. A crash (immediate shutdown, recovery at start).
    cluster.halt('immediate');
    await sleep(2000);
    cluster.resume();
    await servesAgain('crash');

    on = false;
    await Promise.all(load);
    expect(server?.child.exitCode).toBeNull();
    // Short outages are waited out; what failed during the long one failed as unavailable
    // (503, PL_DB_UNAVAILABLE), not as a server error.
    expect(failures.length).toBeGreaterThan(0);
    expect(failures.filter((f) => !/PL_DB_UNAVAILABLE|database at .* is unreachable/.test(f))).toEqual([]);

    // Nothing acknowledged is lost: each host holds the inventory of its last acknowledged check-in
    // (or a later one whose answer was lost with the connection).
    const check = await openPostgres(dbUrl, { poolSize: 1 });
    try {
      const r = await check.query<{ hostname: string; version: string }>(
        `SELECT h.hostname, pv.version FROM host h
           JOIN host_package hp ON hp.host_id = h.id
           JOIN package_version pv ON pv.id = hp.package_id
          WHERE pv.name = 'pl-fault-probe' ORDER BY h.hostname`,
      );
      expect(r.rows.map((x) => x.hostname)).toEqual(agents.map((_, i) => `fault-${i}`));
      for (const [i, row] of r.rows.entries()) {
        const stored = Number(row.version.slice(2));
        expect(stored).toBeGreaterThanOrEqual(acked[i] as number);
        expect(stored).toBeLessThanOrEqual(agents[i]!.collected());
      }
    } finally {
      await check.close();
    }
  }, 400_000);
});
