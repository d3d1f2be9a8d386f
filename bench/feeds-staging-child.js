// One chunked `feeds import` of an OSV archive, twice (first, then all unchanged), with the store's
// session mode forced, while a `SELECT 1` runs every 50 ms on the same store:
//   node bench/feeds-staging-child.js <dataDir|postgresUrl> <held|staged> <path>
// Prints one JSON line: times, the longest SELECT 1 wait (event-loop stalls included), the longest transaction and the last one
// (finish's, in staged mode).
import { importFeed } from '@patchloop/feeds';
import { createFeedStore, openStore } from '@patchloop/store';

const [target, mode, path] = process.argv.slice(2);
const config = target.startsWith('postgres') ? { databaseUrl: target } : { dataDir: target };
const db = await openStore(config);
let txs = [];
// Times every transaction the feed store opens (the held session is one; staged: one per chunk, then finish).
const timed = new Proxy(db, {
  get(t, p) {
    if (p === 'transaction')
      return async (fn) => {
        const s = performance.now();
        try {
          return await t.transaction(fn);
        } finally {
          txs.push(performance.now() - s);
        }
      };
    const v = t[p];
    return typeof v === 'function' ? v.bind(t) : v;
  },
});
const sink = createFeedStore(timed, { sessions: mode });

async function measured(fn) {
  txs = [];
  let maxWait = 0;
  let probes = 0;
  let running = true;
  // PGlite runs in this thread: a long statement blocks the event loop, so the wait is measured from
  // when the probe was due (the previous answer + 50 ms) to its answer, not from when it was sent.
  const probe = (async () => {
    let due = performance.now();
    while (running) {
      await db.query('SELECT 1');
      const at = performance.now();
      maxWait = Math.max(maxWait, at - due);
      probes++;
      await new Promise((r) => setTimeout(r, 50));
      due = at + 50;
    }
  })();
  const t0 = performance.now();
  const r = await fn();
  const ms = performance.now() - t0;
  running = false;
  await probe;
  const round = (x) => Math.round(x);
  return {
    ms: round(ms),
    status: r.status,
    added: r.added,
    unchanged: r.unchanged,
    maxSelect1WaitMs: round(maxWait),
    probes,
    transactions: txs.length,
    longestTxMs: round(Math.max(0, ...txs)),
    lastTxMs: round(txs.at(-1) ?? 0),
  };
}

const first = await measured(() => importFeed('osv', path, sink));
const again = await measured(() => importFeed('osv', path, sink));
await db.close();
console.log(JSON.stringify({ mode, first, again }));
