// One feed import in its own process, so that its peak memory can be read:
//   node bench/feed-import-child.js <dataDir|postgresUrl> <source> <path>
// Prints one JSON line: timings, peak RSS and the import summaries.
import { importFeed } from '@patchloop/feeds';
import { createFeedStore, openStore } from '@patchloop/store';

const [target, source, path] = process.argv.slice(2);
const config = target.startsWith('postgres') ? { databaseUrl: target } : { dataDir: target };
const t0 = performance.now();
const db = await openStore(config);
const opened = performance.now();
const sink = createFeedStore(db);
const first = await importFeed(source, path, sink);
const t1 = performance.now();
const again = await importFeed(source, path, sink);
const t2 = performance.now();
await db.close();
console.log(
  JSON.stringify({
    openMs: Math.round(opened - t0),
    importMs: Math.round(t1 - opened),
    reimportMs: Math.round(t2 - t1),
    maxRssMiB: Math.round(process.resourceUsage().maxRSS / 1024),
    first: { imported: first.imported, skipped: first.skipped, status: first.status },
    again: { imported: again.imported, unchanged: again.unchanged, status: again.status },
  }),
);
