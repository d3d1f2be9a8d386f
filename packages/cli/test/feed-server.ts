/**
 * Test support: a real HTTP server on 127.0.0.1 serving feed files the way
 * publishers do (ETag, Last-Modified, 304, Range with If-Range, HEAD), with
 * failures on demand: a 500 before success, a truncated body, a stalled
 * transfer, an error page.
 */
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FeedSink } from '@patchloop/core';
import { createFeedStore, openStore, type Db } from '@patchloop/store';

export interface Route {
  body: Buffer;
  /** Send an ETag and Last-Modified and honour conditional requests. */
  validators?: boolean;
  /** Answer this many requests with an error first (HTTP 500 unless failStatus). */
  failFirst?: number;
  failStatus?: number;
  failHeaders?: Record<string, string>;
  /** Declare the full length, send half, then cut the connection. */
  truncate?: boolean;
  /** Send this many bytes of the next `stallTimes` answers, then send nothing (the connection stays open). */
  stallAfter?: number;
  stallTimes?: number;
  /** Answer `Range` requests with 206 (when If-Range matches); otherwise the whole body. */
  ranges?: boolean;
}

export interface FeedServer {
  readonly base: string;
  readonly requests: { path: string; headers: IncomingMessage['headers'] }[];
  route(path: string, route: Route): void;
  close(): Promise<void>;
}

export async function startFeedServer(): Promise<FeedServer> {
  const routes = new Map<string, Route>();
  const requests: FeedServer['requests'] = [];
  const stalled = new Set<ServerResponse>();
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    requests.push({ path, headers: req.headers });
    const route = routes.get(path);
    if (!route) {
      res.writeHead(404).end('not found');
      return;
    }
    if (route.failFirst && route.failFirst > 0) {
      route.failFirst--;
      res.writeHead(route.failStatus ?? 500, route.failHeaders ?? {}).end('try again');
      return;
    }
    const etag = `"${createHash('sha1').update(route.body).digest('hex')}"`;
    const lastModified = 'Sat, 16 Aug 2026 00:00:00 GMT';
    if (route.validators && req.headers['if-none-match'] === etag) {
      res.writeHead(304, { etag }).end();
      return;
    }
    const validators = { etag, 'last-modified': lastModified };
    const range = /^bytes=(\d+)-$/.exec(String(req.headers.range ?? ''));
    const ifRange = req.headers['if-range'];
    let body = route.body;
    if (route.ranges && range && (ifRange === undefined || ifRange === etag || ifRange === lastModified)) {
      const start = Number(range[1]);
      body = route.body.subarray(start);
      res.writeHead(206, {
        ...validators,
        'content-length': body.length,
        'content-range': `bytes ${start}-${route.body.length - 1}/${route.body.length}`,
      });
    } else {
      const headers: Record<string, string | number> = { 'content-length': route.body.length };
      if (route.validators || route.ranges) Object.assign(headers, validators);
      res.writeHead(200, headers);
    }
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    if (route.stallAfter !== undefined && (route.stallTimes ?? 0) > 0) {
      route.stallTimes = (route.stallTimes ?? 0) - 1;
      stalled.add(res);
      res.write(body.subarray(0, route.stallAfter));
      return;
    }
    if (route.truncate) {
      res.write(route.body.subarray(0, Math.floor(route.body.length / 2)), () => res.destroy());
      return;
    }
    res.end(body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    base: `http://127.0.0.1:${port}`,
    requests,
    route: (path, route) => routes.set(path, route),
    close: () => {
      for (const res of stalled) res.destroy();
      return new Promise((r) => server.close(() => r()));
    },
  };
}

/** Where a sync test downloads to: an embedded store in a temporary directory, and a feed server. */
export interface SyncTarget {
  readonly dir: string;
  readonly db: Db;
  readonly sink: FeedSink;
  readonly server: FeedServer;
  close(): Promise<void>;
}

export async function openSyncTarget(prefix: string): Promise<SyncTarget> {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const db = await openStore({ dataDir: join(dir, 'data') });
  const server = await startFeedServer();
  return {
    dir,
    db,
    sink: createFeedStore(db),
    server,
    async close() {
      await server.close();
      await db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
