/**
 * The job worker in its own process. On PostgreSQL a server runs its jobs
 * (assessments, deployments, feed syncs) in child processes it supervises,
 * so an assessment never holds the event loop that answers agents and the
 * console. The child reports the feed runs it has going to the server over
 * the IPC channel (what `GET /api/v1/feeds` shows as `running`) and stops
 * when the server goes away, however it went.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { setPriority } from 'node:os';
import type { FeedSource } from '@patchloop/core';
import type { FastifyBaseLogger } from 'fastify';
import { pino } from 'pino';
import type { ServerContext } from '../context.js';
import { FeedRuns, type FeedRun, type FeedRunPhase } from './feed-runs.js';
import { startWorker } from './worker.js';

/** A feed run's change, relayed from a worker process to its server. */
export type FeedRunMessage =
  | { type: 'feed-run'; op: 'start'; source: FeedSource; kind: FeedRun['kind']; pid: number; at: string }
  | {
      type: 'feed-run';
      op: 'progress';
      source: FeedSource;
      phase: FeedRunPhase;
      records: number;
      bytes?: number;
    }
  | { type: 'feed-run'; op: 'finish'; source: FeedSource; pid: number };

/** FeedRuns that also tell the parent process about every change. */
class RelayedFeedRuns extends FeedRuns {
  constructor(private readonly send: (m: FeedRunMessage) => void) {
    super();
  }
  override start(source: FeedSource, kind: FeedRun['kind'], pid: number, at: Date): void {
    super.start(source, kind, pid, at);
    this.send({ type: 'feed-run', op: 'start', source, kind, pid, at: at.toISOString() });
  }
  override progress(source: FeedSource, u: { phase: FeedRunPhase; records: number; bytes?: number }): void {
    super.progress(source, u);
    this.send({ type: 'feed-run', op: 'progress', source, ...u });
  }
  override finish(source: FeedSource, pid: number): void {
    super.finish(source, pid);
    this.send({ type: 'feed-run', op: 'finish', source, pid });
  }
}

/** Applies a relayed feed run change to the server's own list. */
export function applyFeedRunMessage(runs: FeedRuns, m: FeedRunMessage): void {
  if (m.op === 'start') runs.start(m.source, m.kind, m.pid, new Date(m.at));
  else if (m.op === 'progress') runs.progress(m.source, m);
  else runs.finish(m.source, m.pid);
}

/** The worker process's log: JSON lines on stderr, like the server's, tagged `worker`. */
export function workerLogger(level: string): FastifyBaseLogger {
  return pino({ level, base: { pid: process.pid, role: 'worker' } }, process.stderr) as FastifyBaseLogger;
}

function isFeedRunMessage(m: unknown): m is FeedRunMessage {
  return typeof m === 'object' && m !== null && (m as { type?: unknown }).type === 'feed-run';
}

/**
 * Runs the job worker in this process until SIGTERM/SIGINT or until the
 * parent's IPC channel closes (the server died): `patchloop worker`.
 * Resolves once the worker has stopped.
 */
export async function runWorkerProcess(ctx: ServerContext): Promise<void> {
  const send = process.send?.bind(process);
  const relayed = send
    ? new RelayedFeedRuns((m) => {
        if (process.connected) send(m);
      })
    : null;
  const workerCtx: ServerContext = relayed ? { ...ctx, feedRuns: relayed } : ctx;
  const worker = startWorker(workerCtx);
  await new Promise<void>((resolve) => {
    const done = () => resolve();
    process.once('SIGTERM', done);
    process.once('SIGINT', done);
    // The server is gone (stopped, killed): no worker may outlive it. The closed channel says so at
    // once; a changed parent (re-parented to init or a subreaper) says so within a second.
    // A server killed while this process was still starting closed the channel before anyone listened:
    // the parent's pid (PATCHLOOP_WORKER_PARENT, set by the server) is checked too, now and every second.
    if (send) {
      process.once('disconnect', done);
      const parent = Number(process.env.PATCHLOOP_WORKER_PARENT ?? process.ppid);
      const orphaned = () => !process.connected || process.ppid !== parent;
      if (orphaned()) done();
      setInterval(() => {
        if (orphaned()) done();
      }, 1000).unref();
    }
  });
  await worker.stop();
}

/** The worker processes' nice value (the feed sync child they start has its own, 10). */
const WORKER_NICENESS = 5;

export interface WorkerSupervisor {
  /** Worker processes running now. */
  readonly pids: () => number[];
  stop(): Promise<void>;
}

/**
 * Starts `count` worker processes (`modulePath args…`, e.g. the CLI's
 * `patchloop worker`) and starts again, after a pause growing to 30 s, one
 * that exits while the server runs. Their feed runs are shown as this
 * server's; a worker's runs are forgotten when it exits.
 */
export function superviseWorkers(
  ctx: ServerContext,
  opts: { count: number; modulePath: string; args: readonly string[]; env?: NodeJS.ProcessEnv },
): WorkerSupervisor {
  const children = new Set<ChildProcess>();
  let stopping = false;
  const spawnOne = (slot: number, failures: number) => {
    const started = Date.now();
    const child = fork(opts.modulePath, [...opts.args], {
      env: { ...(opts.env ?? process.env), PATCHLOOP_WORKER_PARENT: String(process.pid) },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    children.add(child);
    // Below the server: on a busy machine the HTTP event loop (heartbeats, console) goes first.
    if (child.pid) setPriority(child.pid, WORKER_NICENESS);
    const sources = new Set<FeedSource>();
    child.on('message', (m: unknown) => {
      if (!isFeedRunMessage(m)) return;
      applyFeedRunMessage(ctx.feedRuns, m);
      if (m.op === 'start') sources.add(m.source);
    });
    child.once('exit', (code, signal) => {
      children.delete(child);
      for (const s of sources) {
        const run = ctx.feedRuns.get(s);
        if (run) ctx.feedRuns.finish(s, run.pid);
      }
      if (stopping) return;
      // A worker that ran a while before it died starts again at once; one that dies at start backs off.
      const again = Date.now() - started > 60_000 ? 0 : failures + 1;
      const pause = Math.min(30_000, again === 0 ? 0 : 500 * 2 ** again);
      ctx.log?.error({ worker: slot, code, signal, restartInMs: pause }, 'job worker process exited');
      setTimeout(() => {
        if (!stopping) spawnOne(slot, again);
      }, pause).unref();
    });
  };
  for (let i = 0; i < opts.count; i++) spawnOne(i, 0);
  return {
    pids: () => [...children].map((c) => c.pid ?? 0).filter((p) => p > 0),
    async stop() {
      stopping = true;
      await Promise.all(
        [...children].map(
          (c) =>
            new Promise<void>((resolve) => {
              if (c.exitCode !== null || c.signalCode !== null) return resolve();
              const kill = setTimeout(() => {
                ctx.log?.warn({ pid: c.pid }, 'job worker process did not stop within 15 s: killed');
                c.kill('SIGKILL');
              }, 15_000);
              c.once('exit', () => {
                clearTimeout(kill);
                resolve();
              });
              c.kill('SIGTERM');
            }),
        ),
      );
    },
  };
}
