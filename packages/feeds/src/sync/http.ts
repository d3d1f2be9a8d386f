/**
 * Conditional, bounded, retried HTTP downloads for feed sync: ETag and
 * If-Modified-Since, a size limit enforced while streaming, a time limit per
 * attempt, exponential backoff with jitter on network errors, cut-short
 * bodies, 5xx, 408 and 429 (honouring Retry-After up to a minute). Other
 * 4xx answers and non-HTTP URLs fail at once.
 */
import { PatchloopError, redactUrl } from '@patchloop/core';
import { fetch } from 'undici';

export interface DownloadOptions {
  readonly etag?: string | null;
  readonly lastModified?: string | null;
  readonly maxBytes: number;
  readonly timeoutMs: number;
  /** Attempts in all, including the first. */
  readonly attempts: number;
  /** First backoff delay; doubled each retry, with ±50% jitter. */
  readonly backoffMs: number;
  readonly userAgent: string;
  /** Called before each retry (for logs and tests). */
  readonly onRetry?: (attempt: number, reason: string, delayMs: number) => void;
}

export const DEFAULT_DOWNLOAD: Omit<DownloadOptions, 'etag' | 'lastModified'> = {
  maxBytes: 1024 * 1024 * 1024,
  timeoutMs: 10 * 60_000,
  attempts: 4,
  backoffMs: 1000,
  userAgent: 'patchloop-feeds',
};

export type DownloadResult =
  | { readonly status: 'not-modified' }
  | {
      readonly status: 'ok';
      readonly body: Buffer;
      readonly etag: string | null;
      readonly lastModified: string | null;
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

async function attempt(target: URL, o: DownloadOptions): Promise<DownloadResult> {
  const headers: Record<string, string> = { 'user-agent': o.userAgent, 'accept-encoding': 'identity' };
  // Credentials in the URL (a private mirror) go in an Authorization header:
  // fetch refuses URLs that carry them.
  let url = target.toString();
  if (target.username || target.password) {
    const user = decodeURIComponent(target.username);
    const pass = decodeURIComponent(target.password);
    headers.authorization = `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;
    const bare = new URL(target);
    bare.username = '';
    bare.password = '';
    url = bare.toString();
  }
  if (o.etag) headers['if-none-match'] = o.etag;
  if (o.lastModified) headers['if-modified-since'] = o.lastModified;
  let res;
  try {
    res = await fetch(url, { headers, signal: AbortSignal.timeout(o.timeoutMs), redirect: 'follow' });
  } catch (e) {
    throw new Retryable(
      `request failed: ${(e as Error).cause ? String((e as Error).cause) : (e as Error).message}`,
    );
  }
  if (res.status === 304) {
    await res.body?.cancel();
    return { status: 'not-modified' };
  }
  if (res.status >= 500 || res.status === 429 || res.status === 408) {
    await res.body?.cancel();
    throw new Retryable(`HTTP ${res.status}`, retryAfter(res.headers.get('retry-after')));
  }
  if (res.status !== 200) {
    await res.body?.cancel();
    throw new PatchloopError('PL_FEED_DOWNLOAD_FAILED', `${url}: HTTP ${res.status}`, {
      url,
      status: res.status,
    });
  }
  const declared = Number(res.headers.get('content-length') ?? NaN);
  if (declared > o.maxBytes) {
    await res.body?.cancel();
    throw new PatchloopError(
      'PL_FEED_RECORD_TOO_LARGE',
      `${url}: ${declared} bytes is over the limit of ${o.maxBytes}`,
    );
  }
  const parts: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of res.body ?? []) {
      size += chunk.length;
      if (size > o.maxBytes) {
        throw new PatchloopError(
          'PL_FEED_RECORD_TOO_LARGE',
          `${url}: more than the limit of ${o.maxBytes} bytes`,
        );
      }
      parts.push(Buffer.from(chunk));
    }
  } catch (e) {
    if (e instanceof PatchloopError) throw e;
    throw new Retryable(`download interrupted after ${size} bytes: ${(e as Error).message}`);
  }
  if (Number.isFinite(declared) && size !== declared) {
    throw new Retryable(`truncated: got ${size} of ${declared} bytes`);
  }
  return {
    status: 'ok',
    body: Buffer.concat(parts),
    etag: res.headers.get('etag'),
    lastModified: res.headers.get('last-modified'),
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function download(url: string, options: DownloadOptions): Promise<DownloadResult> {
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
  let last = '';
  for (let i = 1; i <= options.attempts; i++) {
    try {
      return await attempt(parsed, options);
    } catch (e) {
      if (!(e instanceof Retryable)) throw e;
      last = e.message;
      if (i === options.attempts) break;
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
