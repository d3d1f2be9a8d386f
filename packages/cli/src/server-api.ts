/**
 * The CLI as a client of a running server's REST API: bearer token, JSON
 * answers, and every failure (the server's `{"error":{code,message}}`, an
 * HTTP status without one, a connection that fails) as a PatchloopError, so
 * the command line prints one clean `error PL_…: …` line.
 */
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

export async function apiRequest<T>(
  target: ServerTarget,
  method: 'GET' | 'PUT' | 'DELETE',
  path: string,
  body?: { text: string; contentType: string },
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
      signal: AbortSignal.timeout(60_000),
      redirect: 'error',
    });
  } catch (e) {
    const why = (e as Error).name === 'TimeoutError' ? 'timed out after 60 s' : causeOf(e);
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
