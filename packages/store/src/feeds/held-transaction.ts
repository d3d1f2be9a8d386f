/** A transaction held open across several calls (the 'held' session mode). */
import type { Db, Queryable } from '../db.js';

/** Thrown inside a held transaction to roll it back on abort(). */
const ROLLBACK = Symbol('rollback');

export interface HeldTransaction {
  readonly tx: Queryable;
  /** Commits (true) or rolls back (false) and waits until the transaction is over. */
  end(commit: boolean): Promise<void>;
}

/**
 * Opens a transaction that stays open across several calls: db.transaction()
 * takes a callback, so the callback waits until end() is called. A statement
 * that fails inside rolls it back when end() is called.
 */
export function holdTransaction(db: Db): Promise<HeldTransaction> {
  return new Promise((resolveHeld, rejectHeld) => {
    let decide: (commit: boolean) => void = () => undefined;
    const decision = new Promise<boolean>((r) => (decide = r));
    let opened = false;
    const done = db
      .transaction(async (tx) => {
        opened = true;
        resolveHeld({
          tx,
          end: async (commit) => {
            decide(commit);
            await done;
          },
        });
        if (!(await decision)) throw ROLLBACK;
      })
      .catch((e: unknown) => {
        if (e !== ROLLBACK) {
          if (!opened) rejectHeld(e);
          throw e;
        }
      });
    done.catch(() => undefined);
  });
}
