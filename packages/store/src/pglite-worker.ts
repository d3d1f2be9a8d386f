/**
 * The embedded database's thread. PGlite is PostgreSQL compiled to WASM: a
 * statement runs synchronously on the thread that calls it, so on the
 * server's thread a feed import's 3-second statement would stall every
 * request for 3 seconds. Here it runs on a worker thread of its own, and the
 * server's thread only passes messages (pglite-db.ts is the other side).
 *
 * Messages in: `{ id, op, … }`; out: `{ id, ok: true, value }` or
 * `{ id, ok: false, error }` (the error's own fields: message, code, detail…).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { PGlite, types, type Transaction } from '@electric-sql/pglite';
import type { PgliteRequest, PgliteResponse, WireDbError } from './pglite-protocol.js';

const port = parentPort;
if (!port) throw new Error('pglite-worker.js runs as a worker thread');

const { dataDir } = workerData as { dataDir: string };

interface OpenTx {
  readonly tx: Transaction;
  /** Ends the transaction: true commits, false rolls back. */
  readonly end: (commit: boolean) => void;
  /** Settles when PGlite has committed or rolled back. */
  readonly done: Promise<unknown>;
}

/** Thrown inside PGlite's transaction to roll it back. */
const ROLLBACK = Symbol('rollback');

function wireError(e: unknown): WireDbError {
  if (!(e instanceof Error)) return { message: String(e) };
  const out: Record<string, unknown> = { message: e.message, name: e.name };
  for (const [k, v] of Object.entries(e)) {
    if (typeof v === 'string' || typeof v === 'number') out[k] = v;
  }
  return out as WireDbError;
}

async function main(): Promise<void> {
  let pg: PGlite;
  try {
    // PGlite's session time zone is UTC; postgres-db.ts sets the same.
    pg = await PGlite.create(dataDir, {
      // Same value types as the PostgreSQL driver is configured for.
      parsers: { [types.NUMERIC]: (v: string) => Number(v), [types.DATE]: (v: string) => v },
    });
  } catch (e) {
    port!.postMessage({ id: 0, ok: false, error: wireError(e) } satisfies PgliteResponse);
    return;
  }
  const txs = new Map<number, OpenTx>();

  const begin = async (txId: number): Promise<void> => {
    let started!: () => void;
    const isStarted = new Promise<void>((r) => (started = r));
    let end!: (commit: boolean) => void;
    const ended = new Promise<boolean>((r) => (end = r));
    const done = pg.transaction(async (tx) => {
      txs.set(txId, { tx, end, done });
      started();
      if (!(await ended)) throw ROLLBACK;
    });
    // BEGIN itself can fail: then the callback never ran.
    await Promise.race([isStarted, done]);
  };

  const handle = async (m: PgliteRequest): Promise<unknown> => {
    const target = m.tx === undefined ? pg : txs.get(m.tx)?.tx;
    switch (m.op) {
      case 'query': {
        if (!target) throw new Error(`transaction ${m.tx} is not open`);
        const r = await target.query(m.sql, m.params as unknown[]);
        return { rows: r.rows, affectedRows: r.affectedRows ?? 0 };
      }
      case 'exec':
        if (!target) throw new Error(`transaction ${m.tx} is not open`);
        await target.exec(m.sql);
        return null;
      case 'begin':
        await begin(m.txId);
        return null;
      case 'end': {
        const open = txs.get(m.txId);
        if (!open) throw new Error(`transaction ${m.txId} is not open`);
        txs.delete(m.txId);
        open.end(m.commit);
        try {
          await open.done;
        } catch (e) {
          if (e !== ROLLBACK) throw e;
        }
        return null;
      }
      case 'close':
        await pg.close();
        return null;
    }
  };

  port!.on('message', (m: PgliteRequest) => {
    handle(m).then(
      (value) => port!.postMessage({ id: m.id, ok: true, value } satisfies PgliteResponse),
      (e: unknown) =>
        port!.postMessage({ id: m.id, ok: false, error: wireError(e) } satisfies PgliteResponse),
    );
  });
  port!.postMessage({ id: 0, ok: true, value: null } satisfies PgliteResponse);
}

void main();
