/**
 * The child process a feed sync or import runs in (forked by feed-child.ts
 * with its own heap cap), so that a large or broken feed can stall or kill
 * only this process, never the server's event loop.
 *
 * On PostgreSQL the child connects to the database itself. The embedded
 * store (PGlite) belongs to the server process alone, so there the child
 * downloads and parses, and its store writes (FeedSink calls) go to the
 * parent over IPC, one call at a time, and the parent applies them.
 */

import { join } from 'node:path';
import type * as Feeds from '@patchloop/feeds';
import {
  PatchloopError,
  type ErrorCode,
  type FeedApplySession,
  type FeedSink,
  type FeedSource,
} from '@patchloop/core';
import {
  SESSION_METHODS,
  SINK_METHODS,
  wireError,
  type ChildSourceResult,
  type FeedTask,
  type FromChild,
  type ToChild,
} from './feed-child-protocol.js';

function send(m: FromChild): Promise<void> {
  return new Promise((resolve, reject) =>
    process.send ? process.send(m, undefined, {}, (e) => (e ? reject(e) : resolve())) : resolve(),
  );
}

const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
let nextId = 1;

/**
 * An object whose named methods each forward their arguments to `call`; the
 * parent runs the method of T on its store and sends back T's result.
 */
function forwarding<T extends object>(
  methods: readonly (keyof T & string)[],
  call: (method: string) => (...args: unknown[]) => Promise<unknown>,
): T {
  const target: Record<string, (...args: unknown[]) => Promise<unknown>> = {};
  for (const m of methods) target[m] = call(m);
  return target as T;
}

/** A FeedSink whose every call is made by the parent on its store. */
function parentSink(): FeedSink {
  const call =
    (method: string) =>
    (...args: unknown[]) =>
      new Promise((resolve, reject) => {
        const id = nextId++;
        pending.set(id, { resolve, reject });
        send({ t: 'sink', id, method, args }).catch(reject);
      });
  const sink = forwarding<FeedSink>(SINK_METHODS, call);
  // A chunked session lives in the parent (its transaction there); here, its id.
  sink.begin = async (start) => {
    const id = (await call('begin')(start)) as number;
    return forwarding<FeedApplySession>(
      SESSION_METHODS,
      (m) =>
        (...args) =>
          call(`session.${m}`)(id, ...args),
    );
  };
  return sink;
}

type FeedsLib = typeof Feeds;

/** Progress to the parent, at most every 250 ms: records, and bytes of the input read so far. */
function reporter(feeds: FeedsLib, source: FeedSource, totalBytes: number) {
  return feeds.trackProgress({
    totalBytes,
    intervalMs: 250,
    emit: (s) =>
      void send({
        t: 'progress',
        source,
        phase: s.phase === 'upload' ? 'read' : s.phase,
        records: s.records,
        bytes: s.bytes,
      }),
  }).report;
}

function resultOf(
  source: FeedSource,
  s: {
    origin: string;
    status: string;
    exitCode: 0 | 1 | 3;
    imported: number;
    skipped: number;
    unchanged: number;
    errors: ChildSourceResult['errors'];
  },
): ChildSourceResult {
  return {
    source,
    origin: s.origin,
    status: s.status,
    exitCode: s.exitCode,
    imported: s.imported,
    skipped: s.skipped,
    unchanged: s.unchanged,
    errors: s.errors.map((e) => ({
      file: e.file,
      record: e.record,
      code: e.code,
      reason: e.reason,
      ...(e.warning === true ? { warning: true } : {}),
    })),
    error: null,
  };
}

/** Records per chunk when the server writes them (the embedded store); PostgreSQL takes 2,000. */
const PARENT_CHUNK = 400;

async function run(task: FeedTask, databaseUrl: string | null): Promise<void> {
  const feeds = await import('@patchloop/feeds');
  let close = async () => {};
  let sink: FeedSink;
  // On the embedded store the server's thread prepares each chunk's rows (canonical JSON, hashes)
  // before its database thread writes them: smaller chunks keep each of those pauses short.
  const chunk = databaseUrl ? undefined : PARENT_CHUNK;
  if (databaseUrl) {
    const store = await import('@patchloop/store');
    const db = await store.openStore({ databaseUrl });
    close = () => db.close();
    sink = store.createFeedStore(db);
  } else {
    sink = parentSink();
  }
  try {
    if (task.kind === 'import') {
      const { source, path } = task;
      await send({ t: 'source-start', source });
      const s = await feeds.importFeed(source, path, sink, {
        onProgress: reporter(feeds, source, feeds.sizeOf(path)),
        releases: task.releases,
        ...(chunk ? { chunk } : {}),
      });
      await send({ t: 'source-done', result: resultOf(source, s) });
      return;
    }
    for (const source of task.sources) {
      await send({ t: 'source-start', source });
      const bytes = task.mirror ? feeds.sizeOf(join(task.mirror, source)) : 0;
      try {
        const s = await feeds.syncFeed(source, {
          sink,
          mirror: task.mirror,
          ...(task.settings ?? {}),
          releases: task.releases,
          ...(chunk ? { chunk } : {}),
          onProgress: reporter(feeds, source, bytes),
          cveScope: task.cve?.scope ?? 'all',
          ...(task.cve?.nvdApiKey ? { nvd: { apiKey: task.cve.nvdApiKey } } : {}),
        });
        const downloaded = s.downloads.reduce((n, d) => n + d.bytes, 0);
        await send({ t: 'progress', source, phase: 'store', records: s.imported, bytes: bytes + downloaded });
        await send({ t: 'source-done', result: resultOf(source, s) });
      } catch (e) {
        // A source that fails keeps its previous data; the others go on.
        const { message } = wireError(e);
        await send({
          t: 'source-done',
          result: {
            source,
            origin: task.mirror ?? 'online',
            status: 'failed',
            exitCode: 1,
            imported: 0,
            skipped: 0,
            unchanged: 0,
            errors: [],
            error: message,
          },
        });
      }
    }
  } finally {
    await close();
  }
}

process.on('message', (m: ToChild) => {
  if (m.t === 'sink-reply') {
    const p = pending.get(m.id);
    if (!p) return;
    pending.delete(m.id);
    if (m.ok) p.resolve(m.value);
    else
      p.reject(
        m.error.code
          ? new PatchloopError(m.error.code as ErrorCode, m.error.message)
          : new Error(m.error.message),
      );
    return;
  }
  run(m.task, m.databaseUrl)
    .then(() => send({ t: 'done' }))
    .catch((e: unknown) => send({ t: 'failed', error: wireError(e) }))
    .finally(() => process.disconnect?.());
});
// The parent is gone (the server stopped): nothing is left to do.
process.on('disconnect', () => process.exit(0));
