/**
 * Conditional, bounded, retried, resumable HTTP downloads for feed sync. The
 * body is streamed into a file (never held in memory) and hashed on the way;
 * ETag and If-Modified-Since make an unchanged file a 304; a size limit is
 * enforced while streaming; the timeout applies to stalls (no byte for that
 * long), not to the whole body, so a large archive on a slow line finishes.
 * Network errors, cut-short bodies, 5xx, 408 and 429 are retried with
 * exponential backoff and jitter (honouring Retry-After up to a minute); a
 * retry after a broken transfer asks for the rest only (`Range`, guarded by
 * `If-Range` with the first answer's ETag or Last-Modified), and starts over
 * when the server sends the whole file again. Other 4xx answers and non-HTTP
 * URLs fail at once.
 */
import { createHash, type Hash } from 'node:crypto';
import { createReadStream, createWriteStream, statSync, truncateSync, type WriteStream } from 'node:fs';
import { PatchloopError, redactUrl } from '@patchloop/core';
import { fetch } from 'undici';

export interface DownloadOptions {
  readonly etag?: string | null;
  readonly lastModified?: string | null;
  /** Largest file accepted, in bytes (default 4 GiB). */
  readonly maxBytes: number;
  /** An attempt fails when no byte arrives for this long (headers or body). */
  readonly stallTimeoutMs: number;
  /** Attempts in all, including the first. */
  readonly attempts: number;
  /** First backoff delay; doubled each retry, with ±50% jitter. */
  readonly backoffMs: number;
  readonly userAgent: string;
  /** Extra request headers (an API's Accept). */
  readonly headers?: Readonly<Record<string, string>>;
  /** Called before each retry (for logs and tests). */
  readonly onRetry?: (attempt: number, reason: string, delayMs: number) => void;
  /** Bytes received so far in this download (for progress). */
  readonly onBytes?: (received: number, total: number | null) => void;
}

export const DEFAULT_DOWNLOAD: Omit<DownloadOptions, 'etag' | 'lastModified'> = {
  maxBytes: 4 * 1024 * 1024 * 1024,
  stallTimeoutMs: 60_000,
  attempts: 4,
  backoffMs: 1000,
  userAgent: 'patchloop-feeds',
};

export type DownloadResult =
  | { readonly status: 'not-modified' }
  | {
      readonly status: 'ok';
      /** The file the body was written to (the `dest` given). */
      readonly path: string;
      readonly bytes: number;
      readonly sha256: string;
      readonly etag: string | null;
      readonly lastModified: string | null;
      /** Bytes that a retry did not have to fetch again (Range). */
      readonly resumedBytes: number;
    };

class Retryable extends Error {
  constructor(
    message: string,
    /** The server asked to wait this long (Retry-After), in ms. */
    readonly retryAfterMs: number | null = null,
  ) {
    super(message);
  }
}

/** Longest Retry-After honoured; a longer one fails the attempt like any other. */
const MAX_RETRY_AFTER_MS = 60_000;

function retryAfter(header: string | null): number | null {
  if (header === null) return null;
  const secs = Number(header);
  const ms = Number.isFinite(secs) ? secs * 1000 : Date.parse(header) - Date.now();
  return Number.isFinite(ms) && ms >= 0 ? Math.min(ms, MAX_RETRY_AFTER_MS) : null;
}

/** What survives between the attempts of one download: the partial file and its validator. */
interface Partial {
  bytes: number;
  /** The validator of the answer the partial file came from (for If-Range). */
  validator: string | null;
  etag: string | null;
  lastModified: string | null;
  total: number | null;
  resumed: number;
}

const write = (out: WriteStream, chunk: Uint8Array) =>
  new Promise<void>((resolve, reject) => out.write(chunk, (e) => (e ? reject(e) : resolve())));
const close = (out: WriteStream) => new Promise<void>((resolve) => out.end(() => resolve()));

/** A request's Authorization header and bare URL (fetch refuses URLs that carry credentials). */
function split(target: URL): { url: string; auth: string | null } {
  if (!target.username && !target.password) return { url: target.toString(), auth: null };
  const user = decodeURIComponent(target.username);
  const pass = decodeURIComponent(target.password);
  const bare = new URL(target);
  bare.username = '';
  bare.password = '';
  return { url: bare.toString(), auth: `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}` };
}

async function attempt(
  target: URL,
  dest: string,
  o: DownloadOptions,
  part: Partial,
): Promise<'not-modified' | 'done'> {
  const { url, auth } = split(target);
  const headers: Record<string, string> = {
    'user-agent': o.userAgent,
    'accept-encoding': 'identity',
    ...o.headers,
  };
  if (auth) headers.authorization = auth;
  const resuming = part.bytes > 0 && part.validator !== null;
  if (resuming) {
    headers.range = `bytes=${part.bytes}-`;
    headers['if-range'] = part.validator as string;
  } else {
    if (o.etag) headers['if-none-match'] = o.etag;
    if (o.lastModified) headers['if-modified-since'] = o.lastModified;
  }
  // One timer for stalls: armed before the request, re-armed on every chunk.
  const abort = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const arm = () => {
    clearTimeout(timer);
    timer = setTimeout(
      () => abort.abort(new Error(`no data for ${Math.round(o.stallTimeoutMs / 1000)} s`)),
      o.stallTimeoutMs,
    );
  };
  arm();
  try {
    let res;
    try {
      res = await fetch(url, { headers, signal: abort.signal, redirect: 'follow' });
    } catch (e) {
      const why = abort.signal.aborted ? (abort.signal.reason as Error) : (e as Error);
      throw new Retryable(`request failed: ${why.cause ? String(why.cause) : why.message}`);
    }
    if (res.status === 304 && !resuming) {
      await res.body?.cancel();
      return 'not-modified';
    }
    if (res.status >= 500 || res.status === 429 || res.status === 408) {
      await res.body?.cancel();
      throw new Retryable(`HTTP ${res.status}`, retryAfter(res.headers.get('retry-after')));
    }
    if (res.status === 416 && resuming) {
      // The file changed under us or the range is wrong: start over.
      await res.body?.cancel();
      part.bytes = 0;
      part.validator = null;
      throw new Retryable('HTTP 416 on resume');
    }
    const partial = res.status === 206 && resuming;
    if (res.status !== 200 && !partial) {
      await res.body?.cancel();
      throw new PatchloopError('PL_FEED_DOWNLOAD_FAILED', `${redactUrl(url)}: HTTP ${res.status}`, {
        url: redactUrl(url),
        status: res.status,
      });
    }
    const length = Number(res.headers.get('content-length') ?? NaN);
    if (partial) {
      part.resumed += part.bytes;
    } else {
      // A whole answer (first try, or a server that ignores Range): start the file over.
      part.bytes = 0;
      part.etag = res.headers.get('etag');
      part.lastModified = res.headers.get('last-modified');
      // Resume only against a strong validator (or a date), as If-Range requires.
      part.validator = part.etag && !part.etag.startsWith('W/') ? part.etag : part.lastModified;
      part.total = Number.isFinite(length) ? length : null;
    }
    const expected = part.total;
    if (expected !== null && expected > o.maxBytes) {
      await res.body?.cancel();
      throw new PatchloopError(
        'PL_FEED_RECORD_TOO_LARGE',
        `${redactUrl(url)}: ${expected} bytes is over the limit of ${o.maxBytes}`,
      );
    }
    const out = createWriteStream(dest, { flags: partial ? 'a' : 'w' });
    try {
      for await (const chunk of res.body ?? []) {
        arm();
        if (part.bytes + chunk.length > o.maxBytes) {
          throw new PatchloopError(
            'PL_FEED_RECORD_TOO_LARGE',
            `${redactUrl(url)}: more than the limit of ${o.maxBytes} bytes`,
          );
        }
        await write(out, chunk);
        part.bytes += chunk.length;
        o.onBytes?.(part.bytes, expected);
      }
    } catch (e) {
      if (e instanceof PatchloopError) throw e;
      const why = abort.signal.aborted ? (abort.signal.reason as Error) : (e as Error);
      throw new Retryable(`download interrupted after ${part.bytes} bytes: ${why.message}`);
    } finally {
      await close(out);
    }
    if (expected !== null && part.bytes !== expected) {
      throw new Retryable(`truncated: got ${part.bytes} of ${expected} bytes`);
    }
    return 'done';
  } finally {
    clearTimeout(timer);
  }
}

async function hashFile(path: string): Promise<Hash> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(path)) h.update(chunk as Buffer);
  return h;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Downloads `url` into the file `dest` (created or overwritten). */
export async function download(url: string, dest: string, options: DownloadOptions): Promise<DownloadResult> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new PatchloopError('PL_FEED_DOWNLOAD_FAILED', `not a URL: ${JSON.stringify(url)}`);
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    throw new PatchloopError(
      'PL_FEED_DOWNLOAD_FAILED',
      `${redactUrl(url)}: only http and https URLs can be synced`,
    );
  }
  const part: Partial = {
    bytes: 0,
    validator: null,
    etag: null,
    lastModified: null,
    total: null,
    resumed: 0,
  };
  let last = '';
  for (let i = 1; i <= options.attempts; i++) {
    try {
      if ((await attempt(parsed, dest, options, part)) === 'not-modified') return { status: 'not-modified' };
      const bytes = statSync(dest).size;
      return {
        status: 'ok',
        path: dest,
        bytes,
        sha256: (await hashFile(dest)).digest('hex'),
        etag: part.etag,
        lastModified: part.lastModified,
        resumedBytes: part.resumed,
      };
    } catch (e) {
      if (!(e instanceof Retryable)) throw e;
      last = e.message;
      if (i === options.attempts) break;
      // Keep only what was written completely; the next attempt asks for the rest.
      if (part.bytes > 0) truncateSync(dest, part.bytes);
      const delay = e.retryAfterMs ?? Math.round(options.backoffMs * 2 ** (i - 1) * (0.5 + Math.random()));
      options.onRetry?.(i, last, delay);
      await sleep(delay);
    }
  }
  throw new PatchloopError(
    'PL_FEED_DOWNLOAD_FAILED',
    `${redactUrl(url)}: failed after ${options.attempts} attempt(s): ${last}`,
    { url: redactUrl(url) },
  );
}

/** The size a server declares for `url` (HEAD), or null when it cannot say. */
export async function contentLength(
  url: string,
  options: Pick<DownloadOptions, 'stallTimeoutMs' | 'userAgent'>,
): Promise<number | null> {
  try {
    const { url: bare, auth } = split(new URL(url));
    const headers: Record<string, string> = { 'user-agent': options.userAgent };
    if (auth) headers.authorization = auth;
    const res = await fetch(bare, {
      method: 'HEAD',
      headers,
      redirect: 'follow',
      signal: AbortSignal.timeout(options.stallTimeoutMs),
    });
    const n = Number(res.headers.get('content-length') ?? NaN);
    return res.status === 200 && Number.isFinite(n) ? n : null;
  } catch {
    return null;
  }
}
