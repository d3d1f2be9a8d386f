import { existsSync, mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Db, QueryResult, Queryable } from './db.js';
import type { PgliteRequest, PgliteResponse, WireDbError } from './pglite-protocol.js';
import { acquireStoreLock } from './store-lock.js';

/** The worker's entry: next to this module when built; from src (tests), the built one. */
function workerEntry(): string {
  const built = fileURLToPath(new URL('./pglite-worker.js', import.meta.url));
  if (existsSync(built)) return built;
  const dist = fileURLToPath(new URL('../dist/pglite-worker.js', import.meta.url));
  if (existsSync(dist)) return dist;
  throw new Error(`the embedded database's worker ${built} is not built (npm run build)`);
}

/** A database error from the worker, with PostgreSQL's fields (code, detail, …) as its own. */
function dbError(w: WireDbError): Error {
  const e = new Error(w.message);
  for (const [k, v] of Object.entries(w))
    if (k !== 'message' && k !== 'stack') (e as never as Record<string, unknown>)[k] = v;
  return e;
}

type Request = PgliteRequest extends infer R ? (R extends unknown ? Omit<R, 'id'> : never) : never;

/**
 * The embedded database on its own thread (pglite-worker.ts): PGlite runs
 * each statement synchronously, and on the server's thread a long statement
 * (a feed import's move from staging) would stall every request meanwhile.
 * Requests are answered in order; the worker keeps the process alive only
 * while a request is outstanding.
 */
class PgliteThread {
  private readonly worker: Worker;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private nextId = 1;
  private dead: Error | null = null;

  private constructor(
    dir: string,
    private readonly ready: (err: Error | null) => void,
  ) {
    // None of the process's own flags (--input-type, --import hooks, profilers): the thread only runs PGlite.
    this.worker = new Worker(workerEntry(), { workerData: { dataDir: dir }, execArgv: [] });
    this.worker.on('message', (m: PgliteResponse) => this.answer(m));
    this.worker.on('error', (e) => this.stop(e));
    this.worker.on('exit', (code) =>
      this.stop(new Error(`the embedded database's thread stopped (exit code ${code})`)),
    );
  }

  static open(dir: string): Promise<PgliteThread> {
    return new Promise((res, rej) => {
      const t: PgliteThread = new PgliteThread(dir, (err) => (err ? rej(err) : res(t)));
    });
  }

  private answer(m: PgliteResponse): void {
    if (m.id === 0) {
      if (!m.ok) void this.worker.terminate();
      else if (this.pending.size === 0) this.worker.unref();
      this.ready(m.ok ? null : dbError(m.error));
      return;
    }
    const p = this.pending.get(m.id);
    if (!p) return;
    this.pending.delete(m.id);
    if (this.pending.size === 0) this.worker.unref();
    if (m.ok) p.resolve(m.value);
    else p.reject(dbError(m.error));
  }

  private stop(e: Error): void {
    if (this.dead) return;
    this.dead = e;
    this.ready(e);
    for (const p of this.pending.values()) p.reject(e);
    this.pending.clear();
  }

  call<T>(req: Request): Promise<T> {
    if (this.dead) return Promise.reject(this.dead);
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.worker.ref();
      this.worker.postMessage({ ...req, id });
    });
  }

  async close(): Promise<void> {
    try {
      if (!this.dead) await this.call({ op: 'close' });
    } finally {
      await this.worker.terminate();
    }
  }
}

function queryable(t: PgliteThread, tx?: number): Queryable {
  const query = <R>(sql: string, params: readonly unknown[] = []): Promise<QueryResult<R>> =>
    t.call<QueryResult<R>>({ op: 'query', sql, params, ...(tx === undefined ? {} : { tx }) });
  return {
    query,
    exec: async (sql: string) => {
      await t.call({ op: 'exec', sql, ...(tx === undefined ? {} : { tx }) });
    },
  };
}

/**
 * Opens (creating if needed) the embedded store in `dataDir`, for this process
 * alone: another process holding it is a PL_STORE_IN_USE refusal (store-lock.ts).
 */
export async function openPglite(dataDir: string): Promise<Db> {
  const dir = resolve(dataDir);
  mkdirSync(dir, { recursive: true });
  const lock = acquireStoreLock(dir);
  let t: PgliteThread;
  try {
    t = await PgliteThread.open(dir);
  } catch (e) {
    lock.release();
    throw e;
  }
  let nextTx = 1;
  return {
    kind: 'pglite',
    location: dir,
    ...queryable(t),
    transaction: async (fn) => {
      const txId = nextTx++;
      await t.call({ op: 'begin', txId });
      let result;
      try {
        result = await fn(queryable(t, txId));
      } catch (e) {
        await t.call({ op: 'end', txId, commit: false }).catch(() => undefined);
        throw e;
      }
      await t.call({ op: 'end', txId, commit: true });
      return result;
    },
    announce: (url) => lock.update({ url }),
    close: async () => {
      try {
        await t.close();
      } finally {
        lock.release();
      }
    },
  };
}
