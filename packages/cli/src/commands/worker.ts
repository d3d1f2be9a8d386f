/**
 * `patchloop worker`: the job worker alone (assessments, deployments, feed
 * syncs, scheduled tasks) on PostgreSQL. `patchloop server` starts
 * PATCHLOOP_WORKERS of them beside itself; more may run on other machines
 * against the same database (they share the queue: SKIP LOCKED claims).
 */
import { Command } from 'commander';
import { PatchloopError } from '@patchloop/core';
import type { CliConfig } from '../config.js';
import type { Io } from './versions.js';

export function workerCommand(io: Io, config: CliConfig): Command {
  return new Command('worker')
    .description(
      'run background jobs (assessments, deployments, feed syncs) on PostgreSQL, beside one or more servers',
    )
    .action(async () => {
      const server = await import('@patchloop/server');
      const { openStore, resolveDbConfig } = await import('@patchloop/store');
      const cfg = server.loadServerConfig(process.env, {
        ...(config.feedMirror !== undefined ? { feedMirror: config.feedMirror } : {}),
      });
      const where = resolveDbConfig(process.env, { databaseUrl: config.databaseUrl });
      if (!('databaseUrl' in where)) {
        throw new PatchloopError(
          'PL_SERVER_CONFIG_INVALID',
          'patchloop worker runs beside a server on PostgreSQL: set PATCHLOOP_DATABASE_URL (the embedded store runs its jobs in the server)',
        );
      }
      const db = await openStore(where, { waitMs: cfg.dbWaitMs });
      try {
        const ctx = server.createContext(db, cfg, { databaseUrl: where.databaseUrl });
        ctx.log = server.workerLogger(cfg.logLevel);
        // Dispatch signs jobs: no worker without the server's signing key.
        await server.activeSigningKey(ctx);
        if (!process.send) io.stderr.write('Patchloop worker: running jobs (Ctrl-C stops)\n');
        await server.runWorkerProcess(ctx);
      } finally {
        await db.close();
        // Started by a server: its IPC channel would keep this process alive after the worker stopped
        // (the server then waited 15 s and killed it). Closing it lets the process end now.
        if (process.connected) process.disconnect();
      }
    });
}
