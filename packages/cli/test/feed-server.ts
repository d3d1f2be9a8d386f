/**
 * Test support: a real HTTP server on 127.0.0.1 serving feed files the way
 * publishers do (ETag, Last-Modified, 304), with failures on demand: a 500
 * before success, a truncated body, an error page.
 */
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

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
    const headers: Record<string, string | number> = { 'content-length': route.body.length };
    if (route.validators) Object.assign(headers, { etag, 'last-modified': lastModified });
    res.writeHead(200, headers);
    if (route.truncate) {
      res.write(route.body.subarray(0, Math.floor(route.body.length / 2)), () => res.destroy());
      return;
    }
    res.end(route.body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    base: `http://127.0.0.1:${port}`,
    requests,
    route: (path, route) => routes.set(path, route),
    close: () => new Promise((r) => server.close(() => r())),
  };
}
