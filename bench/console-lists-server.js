// The server of the console-lists benchmark in its own process, so that its
// memory is its own: the real app (`build()` with a context, as
// server/test/harness.ts and `patchloop up` make it) on an existing store,
// listening on a free loopback port. No job worker: the lists only read.
//
//   node bench/console-lists-server.js (--database-url URL | --data-dir DIR) --admin-token TOKEN
//
// Prints one JSON line {url, pid} once it listens; SIGTERM closes it.
import { bootstrap, build, createContext, loadServerConfig } from '@patchloop/server';
import { openStore } from '@patchloop/store';

const args = process.argv.slice(2);
const arg = (name) => {
  const i = args.indexOf(name);
  return i < 0 ? undefined : args[i + 1];
};
const databaseUrl = arg('--database-url');
const dataDir = arg('--data-dir');
const db = await openStore(databaseUrl ? { databaseUrl } : { dataDir });
const config = loadServerConfig({
  PATCHLOOP_ADMIN_TOKEN: arg('--admin-token'),
  PATCHLOOP_ENROLL_SECRET: 'bench-enroll-secret-0123456789',
  PATCHLOOP_FEED_SYNC_INTERVAL: '0',
});
const ctx = createContext(db, config, { dataDir: dataDir ?? null });
await bootstrap(ctx);
const app = await build(ctx, { logger: { level: 'warn' } });
const url = await app.listen({ host: '127.0.0.1', port: 0 });
console.log(JSON.stringify({ url, pid: process.pid }));

let closing = false;
process.on('SIGTERM', async () => {
  if (closing) return;
  closing = true;
  await app.close();
  await db.close();
  process.exit(0);
});
