/**
 * Runs a feed sync or import in a child process (feed-sync-child.ts) with
 * its own heap cap (PATCHLOOP_SYNC_MAX_HEAP_MB) and a time limit
 * (PATCHLOOP_SYNC_TIMEOUT): downloading, inflating and parsing never run on
 * the server's event loop, and a child that crashes, runs out of memory, is
 * killed or times out is reported (PL_FEED_SYNC_CRASHED on the source it was
 * working on, whose previous data stays active); the server goes on.
 *
 * On the embedded store the parent makes the child's store writes (the
 * child's FeedSink calls arrive over IPC); on PostgreSQL the child connects
 * itself.
 */
import { fork } from 'node:child_process';
import { setPriority, tmpdir } from 'node:os';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PatchloopError, type FeedApplySession, type FeedSink, type FeedSource } from '@patchloop/core';
import { cleanAbandonedStaging, createFeedStore } from '@patchloop/store';
import type { ServerContext } from '../context.js';
import {
  SESSION_METHODS,
  SINK_METHODS,
  wireError,
  type ChildSourceResult,
  type FeedTask,
  type FromChild,
  type ToChild,
} from './feed-child-protocol.js';

/** The child's entry: next to this module when built; from src (tests), the built one. */
function childEntry(): string {
  const built = fileURLToPath(new URL('./feed-sync-child.js', import.meta.url));
  if (existsSync(built)) return built;
  const dist = fileURLToPath(new URL('../../dist/jobs/feed-sync-child.js', import.meta.url));
  if (existsSync(dist)) return dist;
  throw new Error(`the feed sync child ${built} is not built (npm run build)`);
}

/**
 * Removes the staged rows of feed imports whose process died (this server's
 * before a restart, a killed sync child) or went silent (another replica's),
 * and says what went in the log. Never fails the caller.
 */
export async function cleanAbandonedImports(ctx: ServerContext, when: string): Promise<void> {
  try {
    for (const s of await cleanAbandonedStaging(ctx.db))
      ctx.log?.warn(
        { session: s.id, source: s.source, owner: s.owner, why: s.why, rows: s.rows, when },
        'removed the staged rows of an abandoned feed import',
      );
  } catch (e) {
    ctx.log?.error({ err: (e as Error).message }, 'cannot clean abandoned feed imports');
  }
}

/** The prefix of a sync child's scratch directory in the system temp directory; the server's pid follows. */
const SCRATCH_PREFIX = 'patchloop-feed-child-';

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/**
 * Removes the scratch directories of sync children whose server is gone (killed before it could
 * remove them): a Debian-sized download left behind is hundreds of megabytes. Never fails.
 */
export function removeOrphanScratch(dir = tmpdir()): string[] {
  const removed: string[] = [];
  try {
    for (const name of readdirSync(dir)) {
      const m = new RegExp(`^${SCRATCH_PREFIX}(\\d+)-`).exec(name);
      if (!m || alive(Number(m[1]))) continue;
      rmSync(join(dir, name), { recursive: true, force: true });
      removed.push(name);
    }
  } catch {
    // An unreadable temp directory: nothing to clean.
  }
  return removed;
}

export interface ChildOutcome {
  /** Every source the child finished, in order. */
  readonly results: ChildSourceResult[];
  /** Set when the child died before finishing: the source it was on and why. */
  readonly crashed: { source: FeedSource | null; message: string } | null;
}

const STDERR_TAIL = 8192;
/** The sync child's nice value (0 is normal, 19 the lowest priority). */
const CHILD_NICENESS = 10;

function describeDeath(
  code: number | null,
  signal: NodeJS.Signals | null,
  stderr: string,
  heapMb: number,
  timedOut: string | null,
): string {
  if (timedOut) return `the feed sync took longer than ${timedOut} (PATCHLOOP_SYNC_TIMEOUT) and was stopped`;
  if (/heap out of memory|Reached heap limit|allocation failed/i.test(stderr))
    return `the feed sync ran out of memory (heap cap ${heapMb} MiB; raise PATCHLOOP_SYNC_MAX_HEAP_MB)`;
  if (signal) return `the feed sync process was killed (${signal})`;
  const last = stderr.trim().split('\n').slice(-1)[0] ?? '';
  return `the feed sync process exited with code ${code}${last ? `: ${last.slice(0, 300)}` : ''}`;
}

export async function runInChild(
  ctx: ServerContext,
  task: FeedTask,
  opts: { signal?: AbortSignal } = {},
): Promise<ChildOutcome> {
  const heapMb = ctx.config.syncMaxHeapMb;
  // The child's temporary files (downloads, inflated archives) go to a scratch directory of its own,
  // removed when it exits however it exits: a child killed mid-download leaves nothing behind.
  const scratch = mkdtempSync(join(tmpdir(), `${SCRATCH_PREFIX}${process.pid}-`));
  const child = fork(childEntry(), [], {
    env: { ...process.env, TMPDIR: scratch },
    execArgv: [`--max-old-space-size=${heapMb}`],
    serialization: 'advanced',
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
  const pid = child.pid ?? 0;
  // Background work: the server's own thread (API, agents) wins the CPU when both want it.
  try {
    if (pid) setPriority(pid, CHILD_NICENESS);
  } catch {
    // Not permitted (some containers): the sync just competes as an equal.
  }
  const kind = task.kind;
  const sink: FeedSink = createFeedStore(ctx.db);
  const results: ChildSourceResult[] = [];
  let current: FeedSource | null = null;
  let failed: string | null = null;
  let finished = false;
  let timedOut: string | null = null;
  let stderr = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (d: string) => {
    stderr = (stderr + d).slice(-STDERR_TAIL);
  });

  // Chunked sessions the child opened (staged rows, or a held transaction): aborted if the child dies.
  const sessions = new Map<number, FeedApplySession>();
  let nextSession = 1;
  const inflight = new Set<Promise<unknown>>();
  async function storeCall(method: string, args: unknown[]): Promise<unknown> {
    if (method === 'begin') {
      const id = nextSession++;
      sessions.set(id, await sink.begin(args[0] as Parameters<FeedSink['begin']>[0]));
      return id;
    }
    const [, name] = /^session\.(\w+)$/.exec(method) ?? [];
    if (name && (SESSION_METHODS as readonly string[]).includes(name)) {
      const [id, ...rest] = args as [number, ...unknown[]];
      const session = sessions.get(id);
      if (!session) throw new Error(`no feed import session ${id}`);
      if (name !== 'applyChunk') sessions.delete(id);
      return (session[name as keyof FeedApplySession] as (...a: unknown[]) => Promise<unknown>).apply(
        session,
        rest,
      );
    }
    if (!(SINK_METHODS as readonly string[]).includes(method))
      throw new Error(`unknown store call ${method}`);
    return (sink[method as keyof FeedSink] as (...a: unknown[]) => Promise<unknown>).apply(sink, args);
  }

  const reply = (m: ToChild) => {
    if (child.connected) child.send(m);
  };
  child.on('message', (m: FromChild) => {
    switch (m.t) {
      case 'source-start':
        current = m.source;
        ctx.feedRuns.start(m.source, kind, pid, ctx.now());
        break;
      case 'progress':
        ctx.feedRuns.progress(m.source, m);
        break;
      case 'source-done':
        results.push(m.result);
        ctx.feedRuns.finish(m.result.source, pid);
        current = null;
        break;
      case 'sink': {
        const call = storeCall(m.method, m.args);
        inflight.add(call);
        void call.catch(() => undefined).finally(() => inflight.delete(call));
        call.then(
          (value) => reply({ t: 'sink-reply', id: m.id, ok: true, value }),
          (e: unknown) => reply({ t: 'sink-reply', id: m.id, ok: false, error: wireError(e) }),
        );
        break;
      }
      case 'done':
        finished = true;
        break;
      case 'failed':
        failed = m.error.message;
        break;
    }
  });

  const limitMs = ctx.config.syncTimeoutMs;
  const timer = setTimeout(() => {
    timedOut = `${Math.round(limitMs / 1000)} s`;
    child.kill('SIGKILL');
  }, limitMs);
  const onAbort = () => child.kill('SIGKILL');
  opts.signal?.addEventListener('abort', onAbort, { once: true });

  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (c, s) => resolve([c, s]));
    child.send({ t: 'run', task, databaseUrl: ctx.databaseUrl } satisfies ToChild);
  }).finally(() => {
    clearTimeout(timer);
    opts.signal?.removeEventListener('abort', onAbort);
    rmSync(scratch, { recursive: true, force: true });
  });
  const source: FeedSource | null = current;
  if (source) ctx.feedRuns.finish(source, pid);
  // Store calls still running for the dead child finish first; then its open sessions roll back.
  await Promise.allSettled([...inflight]);
  for (const session of sessions.values()) await session.abort().catch(() => undefined);
  // On PostgreSQL the child staged rows itself: a child that died left them.
  if (!finished && ctx.databaseUrl) await cleanAbandonedImports(ctx, 'after the sync process died');

  if (finished && code === 0 && failed === null) return { results, crashed: null };
  const message =
    failed !== null && !signal && !timedOut ? failed : describeDeath(code, signal, stderr, heapMb, timedOut);
  ctx.log?.warn(
    { pid, code, signal, source, task: task.kind, err: message },
    'feed sync process died; previous data stays active',
  );
  const target = source ?? (task.kind === 'import' ? task.source : null);
  if (target) {
    // Reported on the source (feeds status, the console), the way a failed sync is.
    await sink
      .recordFailure(
        {
          source: target,
          origin: task.kind === 'import' ? 'upload' : 'sync',
          startedAt: ctx.now(),
          errors: [],
        },
        { code: 'PL_FEED_SYNC_CRASHED', message },
      )
      .catch((e: unknown) => ctx.log?.error({ err: (e as Error).message }, 'cannot record the failed sync'));
  }
  return { results, crashed: { source: target, message } };
}

/** A crash as the error a caller throws (the job is retried with backoff; an upload gets a 500). */
export function crashError(crashed: NonNullable<ChildOutcome['crashed']>): PatchloopError {
  return new PatchloopError(
    'PL_FEED_SYNC_CRASHED',
    `${crashed.source ? `${crashed.source}: ` : ''}${crashed.message}; the previous data stays active`,
    { source: crashed.source },
  );
}
