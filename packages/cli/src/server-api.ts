/**
 * The CLI as a client of a running server's REST API: bearer token, JSON
 * answers, and every failure (the server's `{"error":{code,message}}`, an
 * HTTP status without one, a connection that fails) as a PatchloopError, so
 * the command line prints one clean `error PL_…: …` line.
 */
import { Option, type Command } from 'commander';
import { PatchloopError, type ErrorCode } from '@patchloop/core';

/**
 * No registered code says "the server could not be reached"; until core's
 * registry has one, this is the code the CLI prints for connection failures.
 */
export const SERVER_UNREACHABLE: ErrorCode = 'PL_SERVER_UNREACHABLE';

const STATUS_CODES: Record<number, ErrorCode> = {
  400: 'PL_REQUEST_INVALID',
  401: 'PL_AUTH_REQUIRED',
  403: 'PL_AUTH_FORBIDDEN',
  404: 'PL_NOT_FOUND',
  409: 'PL_CONFLICT',
  413: 'PL_PAYLOAD_TOO_LARGE',
};

export interface ServerTarget {
  readonly server: string;
  readonly token: string;
}

export interface ApiResponse<T> {
  readonly status: number;
  readonly body: T;
}

/** The base URL, checked: http(s) only, no trailing slash. */
export function serverBase(url: string): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new PatchloopError('PL_USAGE', `--server must be an http:// or https:// URL, got "${url}"`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') {
    throw new PatchloopError('PL_USAGE', `--server must be an http:// or https:// URL, got "${url}"`);
  }
  if (u.username !== '' || u.password !== '') {
    throw new PatchloopError('PL_USAGE', '--server must not carry credentials: use --token');
  }
  return u.href.replace(/\/+$/, '');
}

function causeOf(e: unknown): string {
  const cause = (e as { cause?: { code?: string; message?: string } }).cause;
  if (cause?.code) return cause.code;
  if (cause?.message) return cause.message;
  return e instanceof Error ? e.message : String(e);
}

/** A request body: text, bytes or a stream (an upload), and its media type. */
export interface RequestBody {
  readonly text: string | Uint8Array | ReadableStream<Uint8Array>;
  readonly contentType: string;
}

export async function apiRequest<T>(
  target: ServerTarget,
  method: 'GET' | 'PUT' | 'POST' | 'DELETE',
  path: string,
  body?: RequestBody,
  timeoutMs = 60_000,
): Promise<ApiResponse<T>> {
  const base = serverBase(target.server);
  let res: Response;
  try {
    res = await fetch(`${base}${path}`, {
      method,
      headers: {
        accept: 'application/json',
        authorization: `Bearer ${target.token}`,
        ...(body ? { 'content-type': body.contentType } : {}),
      },
      ...(body ? { body: body.text } : {}),
      // A stream is sent as it is read (Node's fetch wants this said).
      ...(body?.text instanceof ReadableStream ? { duplex: 'half' } : {}),
      signal: AbortSignal.timeout(timeoutMs),
      redirect: 'error',
    } as RequestInit);
  } catch (e) {
    const why = (e as Error).name === 'TimeoutError' ? `timed out after ${timeoutMs / 1000} s` : causeOf(e);
    throw new PatchloopError(SERVER_UNREACHABLE, `cannot reach the server at ${base}: ${why}`);
  }
  let text: string;
  try {
    text = await res.text();
  } catch (e) {
    throw new PatchloopError(SERVER_UNREACHABLE, `the server at ${base} broke off its answer: ${causeOf(e)}`);
  }
  let json: unknown = undefined;
  try {
    json = text === '' ? undefined : JSON.parse(text);
  } catch {
    // Not JSON (a proxy's error page): reported below by its status.
  }
  if (!res.ok) {
    const err = (json as { error?: { code?: unknown; message?: unknown; details?: unknown } } | undefined)
      ?.error;
    const code =
      typeof err?.code === 'string' && /^PL_[A-Z0-9_]+$/.test(err.code)
        ? (err.code as ErrorCode)
        : (STATUS_CODES[res.status] ?? (res.status >= 500 ? 'PL_INTERNAL' : 'PL_REQUEST_INVALID'));
    const message =
      typeof err?.message === 'string' && err.message !== ''
        ? err.message
        : `${method} ${path}: HTTP ${res.status} ${res.statusText}`.trim();
    const details =
      typeof err?.details === 'object' && err.details !== null
        ? (err.details as Record<string, unknown>)
        : {};
    throw new PatchloopError(code, message, details);
  }
  if (json === undefined) {
    throw new PatchloopError(
      'PL_INTERNAL',
      `${method} ${path}: the server at ${base} did not answer with JSON (HTTP ${res.status})`,
    );
  }
  return { status: res.status, body: json as T };
}

/** `--data-dir`, or `--server URL --token T`: where a command that changes data sends itself. */
export interface TargetOptions {
  dataDir?: string;
  server?: string;
  token?: string;
}

export function addTargetOptions(cmd: Command): Command {
  return cmd
    .addOption(
      new Option(
        '--data-dir <dir>',
        'embedded store directory (default: PATCHLOOP_DATA_DIR or ./patchloop-data)',
      ),
    )
    .addOption(new Option('--server <url>', 'a running Patchloop server instead of the store'))
    .addOption(new Option('--token <token>', 'API token for --server (default: PATCHLOOP_TOKEN)'));
}

/**
 * The server the options name (with --token or PATCHLOOP_TOKEN), or null for
 * the store. --data-dir and --server exclude each other.
 */
export function serverTarget(
  opts: TargetOptions,
  env: Readonly<Record<string, string | undefined>>,
): ServerTarget | null {
  if (opts.server === undefined) {
    if (opts.token !== undefined) throw new PatchloopError('PL_USAGE', '--token needs --server');
    return null;
  }
  if (opts.dataDir !== undefined) {
    throw new PatchloopError('PL_USAGE', '--data-dir and --server exclude each other');
  }
  const token = opts.token ?? (env.PATCHLOOP_TOKEN?.trim() || undefined);
  if (token === undefined || token.trim() === '') {
    throw new PatchloopError('PL_USAGE', '--server needs an API token: --token T or PATCHLOOP_TOKEN');
  }
  return { server: serverBase(opts.server), token: token.trim() };
}
