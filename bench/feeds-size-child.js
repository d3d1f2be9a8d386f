// One production-size feed import in its own process, so its peak memory can be read:
//   node bench/feeds-size-child.js <dataDir|postgresUrl> <source> <path>
// Prints one JSON line: open/import/re-import times, peak RSS, and the peak JS heap sampled every
// 100 ms (on PGlite, most of RSS beyond the heap is PGlite's WebAssembly memory).
import { importFeed } from '@patchloop/feeds';
import { createFeedStore, openStore } from '@patchloop/store';

const [target, source, path] = process.argv.slice(2);
let heapPeak = 0;

const sample = () => (heapPeak = Math.max(heapPeak, process.memoryUsage().heapUsed));
const timer = setInterval(sample, 100);
const config = target.startsWith('postgres') ? { databaseUrl: target } : { dataDir: target };
const t0 = performance.now();
const db = await openStore(config);
const opened = performance.now();
const rssAfterOpen = process.memoryUsage().rss;
const sink = createFeedStore(db);
const first = await importFeed(source, path, sink);
const t1 = performance.now();
const again = await importFeed(source, path, sink);
const t2 = performance.now();
const stored = await db.query('SELECT count(*)::int AS n FROM advisory WHERE source = $1', [source]);
await db.close();
clearInterval(timer);
sample();
const mib = (b) => Math.round(b / 1048576);
console.log(
  JSON.stringify({
    openMs: Math.round(opened - t0),
    importMs: Math.round(t1 - opened),
    reimportMs: Math.round(t2 - t1),
    maxRssMiB: Math.round(process.resourceUsage().maxRSS / 1024),
    rssAfterOpenMiB: mib(rssAfterOpen),
    heapPeakMiB: mib(heapPeak),
    stored: stored.rows[0].n,
    first: { imported: first.imported, skipped: first.skipped, status: first.status },
    again: { imported: again.imported, unchanged: again.unchanged, status: again.status },
  }),
);
