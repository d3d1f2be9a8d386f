/**
 * `patchloop up` (and `patchloop server`): the server on the embedded store
 * (or PostgreSQL with PATCHLOOP_DATABASE_URL), its job worker, feeds from
 * the mirror directory or online on a schedule, and — for `up` — an agent
 * for the machine it runs on. Prints where it listens and, the first time,
 * the generated admin credentials and the enrollment command.
 */
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command, Option } from 'commander';
import { PatchloopError } from '@patchloop/core';
import type { CliConfig } from '../config.js';
import { managedMachine } from './agent.js';
import type { Io } from './versions.js';

interface UpOptions {
  dataDir?: string;
  port?: string;
  host?: string;
  localAgent: boolean;
  root: string;
}

/** The console the web package built (packages/web/dist), found through the package, not a relative path. */
function builtConsoleDir(): string | undefined {
  try {
    return dirname(createRequire(import.meta.url).resolve('@patchloop/web/dist/index.html'));
  } catch {
    return undefined;
  }
}

function portInUse(host: string, port: number): PatchloopError {
  return new PatchloopError(
    'PL_PORT_IN_USE',
    `cannot listen on ${host}:${port}: the port is taken (is another Patchloop server running there?); stop it, or choose another port with --port or PATCHLOOP_PORT`,
  );
}

/** Fails with PL_PORT_IN_USE when something already listens on host:port. */
function assertPortFree(host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', (e: NodeJS.ErrnoException) =>
      e.code === 'EADDRINUSE' ? reject(portInUse(host, port)) : resolve(),
    );
    probe.listen({ host, port, exclusive: true }, () => probe.close(() => resolve()));
  });
}

export async function startServer(io: Io, config: CliConfig, opts: UpOptions, version: string) {
  const server = await import('@patchloop/server');
  const { openStore, resolveDbConfig, queueJob } = await import('@patchloop/store');
  const cfg = server.loadServerConfig(process.env, {
    ...(opts.port !== undefined ? { port: Number(opts.port) } : {}),
    ...(opts.host !== undefined ? { host: opts.host } : {}),
    ...(config.feedMirror !== undefined ? { feedMirror: config.feedMirror } : {}),
    ...(process.env.PATCHLOOP_CONSOLE_DIR ? {} : { consoleDir: builtConsoleDir() }),
    // The agent npm run build:agent built in this clone (packaging/dist), for /install.sh.
    ...(process.env.PATCHLOOP_DOWNLOADS_DIR
      ? {}
      : { downloadsDir: fileURLToPath(new URL('../../../../packaging/dist', import.meta.url)) }),
  });
  // Said at once, before the store is opened (a new embedded store takes seconds to create).
  if (cfg.port !== 0) await assertPortFree(cfg.host, cfg.port);
  const where = resolveDbConfig(process.env, { dataDir: opts.dataDir, databaseUrl: config.databaseUrl });
  let waitSaid = 0;
  const db = await openStore(where, {
    waitMs: cfg.dbWaitMs,
    // A server started with (or before) its database waits for it, saying so every ~10 s.
    onWait: (reason, attempt) => {
      if (attempt === 1 || Date.now() - waitSaid >= 10_000) {
        waitSaid = Date.now();
        io.stderr.write(
          `waiting for PostgreSQL (${reason}); retrying for up to ${Math.round(cfg.dbWaitMs / 1000)} s (PATCHLOOP_DB_WAIT)\n`,
        );
      }
    },
  });
  const dataDir = 'dataDir' in where ? where.dataDir : null;
  const databaseUrl = 'databaseUrl' in where ? where.databaseUrl : null;
  const ctx = server.createContext(db, cfg, { dataDir, databaseUrl });
  let signingKey: { keyId: string; file: string };
  try {
    // No server without its job signing key (PostgreSQL: PATCHLOOP_JOB_SIGNING_KEY_FILE on every replica).
    signingKey = await server.activeSigningKey(ctx);
  } catch (e) {
    await db.close();
    throw e;
  }
  const boot = await server.bootstrap(ctx);
  const app = await server.build(ctx, {
    logger: { level: cfg.logLevel, redact: server.REDACT, stream: process.stderr },
  });
  // PATCHLOOP_RUN_JOBS=false: an API-only replica; others run the jobs. On PostgreSQL the jobs run in
  // PATCHLOOP_WORKERS child processes (`patchloop worker`): an assessment never holds this event loop.
  // The embedded store belongs to this process, so its jobs run here.
  const inChildren = cfg.runJobs && databaseUrl !== null && cfg.workerProcesses > 0;
  const worker = cfg.runJobs && !inChildren ? server.startWorker(ctx) : null;
  const workers = inChildren
    ? server.superviseWorkers(ctx, {
        count: cfg.workerProcesses,
        modulePath: fileURLToPath(new URL('../../bin/patchloop.js', import.meta.url)),
        args: ['worker'],
      })
    : null;
  if (cfg.feedMirror) {
    // An air-gapped site's mirror is imported at every start (unchanged files cost little).
    await queueJob(db, 'feed-sync', { reason: 'start' }, new Date());
    ctx.wakeJobs();
  }
  let address: string;
  try {
    address = await app.listen({ host: cfg.host, port: cfg.port });
  } catch (e) {
    // Nothing may keep running (the worker, the store) once the server cannot listen.
    await worker?.stop();
    await workers?.stop();
    await app.close();
    await db.close();
    if ((e as NodeJS.ErrnoException).code === 'EADDRINUSE') throw portInUse(cfg.host, cfg.port);
    throw e;
  }
  const url = address.replace('://[::1]', '://localhost');
  const plain = server.plainHttpWarning(cfg);
  if (plain !== null) app.log.warn(plain);
  // A CLI command on the same embedded store is told where to send itself instead.
  db.announce?.(url);
  const w = (s: string) => io.stdout.write(`${s}\n`);
  w(`Patchloop ${version} listening on ${url}`);
  w(
    `  console:    ${server.consoleBuilt(cfg.consoleDir) ? `${url}/` : 'not built (npm run build builds packages/web)'}`,
  );
  w(`  API docs:   ${url}/api/docs`);
  w(`  job signing: key ${signingKey.keyId} (${signingKey.file}; agents pin it at enrollment)`);
  w(`  store:      ${'dataDir' in where ? `embedded (PGlite) in ${where.dataDir}` : db.location}`);
  w(
    `  jobs:       ${!cfg.runJobs ? 'run by other replicas (PATCHLOOP_RUN_JOBS=false)' : workers ? `${cfg.workerProcesses} worker process(es) beside the server (PATCHLOOP_WORKERS)` : 'in the server process'}`,
  );
  w(
    `  feeds:      ${cfg.feedMirror ? `imported from the mirror ${cfg.feedMirror}` : cfg.feedSyncIntervalMs > 0 ? `synced online every ${cfg.feedSyncIntervalMs / 3_600_000} h, starting now (no internet? set PATCHLOOP_FEED_MIRROR=DIR; status: GET /api/v1/feeds)` : 'not synced on a schedule'}`,
  );
  if (boot.adminPassword)
    w(
      `  admin user: admin, password ${boot.adminPassword} (shown once; PATCHLOOP_ADMIN_PASSWORD chooses it)`,
    );
  if (boot.adminPasswordNote) w(`  admin user: ${boot.adminPasswordNote}`);
  if (boot.adminToken)
    w(`  admin API token: ${boot.adminToken} (shown once; PATCHLOOP_ADMIN_TOKEN chooses it)`);
  const publicUrl = cfg.publicUrl ?? url;
  // The secret only when generated now (it is stored hashed); never one from the environment.
  const secret = boot.enrollSecret ?? server.SECRET_PLACEHOLDER;
  if (boot.enrollSecret) w(`  enrollment secret: ${boot.enrollSecret} (shown once; stored hashed)`);
  else
    w(
      `  enrollment secret: ${cfg.enrollSecret !== undefined ? 'PATCHLOOP_ENROLL_SECRET' : 'shown when generated; Settings → Enrollment rotates it (the new one shown once)'}`,
    );
  w(`  enroll an agent: PATCHLOOP_ENROLL_SECRET=${secret} npx patchloop agent --server ${publicUrl}`);
  w(`  install one on another machine: ${server.installCommand(publicUrl, secret)}`);
  const ready = server.agentArtifacts(cfg.downloadsDir).length > 0;
  for (const note of server.remoteAgentNotes(cfg, publicUrl, ready)) w(`    - ${note}`);

  const abort = new AbortController();
  let agentDone: Promise<void> = Promise.resolve();
  if (opts.localAgent) {
    const { Agent, localRunner } = await import('@patchloop/agent');
    // One state directory per machine: `up --root DIR` is another machine than `up`.
    const machine = managedMachine({ root: opts.root });
    const stateDir = join(
      dataDir ?? '.',
      machine.target === 'local:/' ? 'local-agent' : `local-agent-${basename(machine.stateDir)}`,
    );
    const agent = new Agent({
      server: url,
      // Its own secret, never stored or printed: the enrollment secret is kept only hashed.
      enrollSecret: ctx.localEnrollSecret,
      tags: ['local'],
      runner: localRunner({ root: opts.root }),
      stateDir,
      target: machine.target,
      fallbackHostname: machine.hostname,
      log: (line) => app.log.info({ agent: 'local' }, line),
    });
    agentDone = agent.run(abort.signal);
    w(`  local agent: this machine (${opts.root}) checks in as a host (--no-local-agent to skip)`);
  }
  const stop = async () => {
    abort.abort();
    await agentDone;
    await worker?.stop();
    await workers?.stop();
    await app.close();
    await db.close();
  };
  return { url, stop };
}

export function upCommand(io: Io, config: CliConfig, version: string, name: 'up' | 'server' = 'up'): Command {
  const cmd = new Command(name)
    .description(
      name === 'up'
        ? 'start Patchloop on its embedded default (no external services), with an agent for this machine'
        : 'start the Patchloop server (PATCHLOOP_DATABASE_URL for PostgreSQL; several replicas may share one)',
    )
    .option('--data-dir <dir>', 'embedded store directory (default: PATCHLOOP_DATA_DIR or ./patchloop-data)')
    .option('--port <port>', 'port to listen on (default: PATCHLOOP_PORT or 8080; 0 picks a free one)')
    .option('--host <address>', 'address to listen on (default: PATCHLOOP_HOST or 127.0.0.1)');
  if (name === 'up') {
    cmd
      .option('--no-local-agent', 'do not enroll the machine Patchloop runs on')
      .addOption(new Option('--root <dir>', 'filesystem root the local agent reports').default('/'));
  }
  return cmd.action(async (opts: Partial<UpOptions>) => {
    const { stop } = await startServer(
      io,
      config,
      { ...opts, localAgent: name === 'up' && opts.localAgent !== false, root: opts.root ?? '/' },
      version,
    );
    await new Promise<void>((resolve) => {
      const onSignal = () => {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
        // A second Ctrl-C while stopping quits at once.
        process.once('SIGINT', () => {
          io.stderr.write('Patchloop: stopped at once (the store was closed uncleanly)\n');
          process.exit(130);
        });
        io.stderr.write('Patchloop: stopping (Ctrl-C again to quit at once)…\n');
        resolve();
      };
      process.on('SIGINT', onSignal);
      process.on('SIGTERM', onSignal);
    });
    // Stopping takes seconds; if something hangs, do not wait forever.
    const watchdog = setTimeout(() => {
      io.stderr.write('Patchloop: still stopping after 20 s; quitting\n');
      process.exit(1);
    }, 20_000);
    watchdog.unref();
    await stop();
    clearTimeout(watchdog);
    io.stderr.write('Patchloop: stopped\n');
  });
}
