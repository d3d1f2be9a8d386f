/**
 * Every API error body is `{"error":{"code","message"}}` with a stable code: services, jobs and
 * routes throw a PatchloopError and its status comes from the code's entry in core's registry;
 * validation → 400 PL_REQUEST_INVALID, anything unexpected → 500 PL_INTERNAL (details only in
 * the log).
 */
import { httpStatusOf, isPatchloopError, PatchloopError } from '@patchloop/core';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/**
 * Whether an error (or the message of one a feed child died with) says the store's disk is full:
 * Node's ENOSPC (files next to the database), PostgreSQL's disk_full class (SQLSTATE 53100,
 * "could not extend file …: No space left on device"), the same as PGlite reports it.
 */
export function isDiskFull(err: unknown): boolean {
  const e = err as { code?: unknown; message?: unknown } | null;
  if (e && (e.code === 'ENOSPC' || e.code === '53100')) return true;
  const message = typeof err === 'string' ? err : typeof e?.message === 'string' ? e.message : '';
  return /No space left on device|\bENOSPC\b/.test(message);
}

/** Where a store's files are, as a full disk's message names it. */
export function storeDisk(db: { kind: 'pglite' | 'postgres'; location: string }): string {
  return db.kind === 'pglite'
    ? `the data directory ${db.location}`
    : `the disk of the database at ${db.location}`;
}

/** PL_STORE_DISK_FULL for the store at `where` (the data directory, or PostgreSQL's disk). */
export function diskFullError(where: string): PatchloopError {
  return new PatchloopError(
    'PL_STORE_DISK_FULL',
    `no space left on ${where}: what this request was to store is not stored; free space there and retry (no restart is needed)`,
  );
}

/**
 * What of an unexpected error may be logged: its kind, message, stack and a database error's
 * code and location (constraint, table, the SQL text), never the values a query carried: a
 * database error's detail and context quote them ("Key (name)=(value) already exists"), and a
 * driver may attach its parameters.
 */
const LOGGED_FIELDS = [
  'name',
  'message',
  'stack',
  'code',
  'severity',
  'constraint',
  'table',
  'column',
  'schema',
  'routine',
  'query',
];

export function loggable(err: Error): Record<string, unknown> {
  const out: Record<string, unknown> = { type: err.constructor?.name ?? 'Error' };
  for (const k of LOGGED_FIELDS) {
    const v: unknown = Reflect.get(err, k);
    if (v !== undefined && v !== null) out[k] = v;
  }
  return out;
}

const FRAMEWORK_MESSAGES: Record<string, string> = {
  FST_ERR_BAD_URL: 'the path is not valid: a percent-escape is malformed or is not UTF-8 text',
  FST_ERR_MAX_PARAM_LENGTH: 'a part of the path is too long',
};

/**
 * Errors Fastify's router answers before any route or error handler runs (a path that does not
 * decode, a path part past its length limit): the same body as every other error, with a PL_
 * code. Passed to Fastify as `frameworkErrors`; the hooks that set the security headers do not
 * run here, so `headers` are set by hand.
 */
export function frameworkErrorHandler(headers: Record<string, string>) {
  return (err: FastifyError, _req: FastifyRequest, reply: FastifyReply): void => {
    const status = err.statusCode !== undefined && err.statusCode < 500 ? err.statusCode : 400;
    void reply
      .status(status)
      .headers(headers)
      .send({
        error: {
          code: 'PL_REQUEST_INVALID',
          message: FRAMEWORK_MESSAGES[err.code] ?? 'the request is not valid',
        },
      });
  };
}

/** Answers a request no route matched, or returns false (the console's client-side routes). */
export type NotFoundFallback = (req: FastifyRequest, reply: FastifyReply) => boolean;

/** `store` names where the store's files are, for the message of a full disk. */
export function registerErrors(
  app: FastifyInstance,
  fallback?: NotFoundFallback,
  store = "the database's disk",
): void {
  app.setErrorHandler((err: FastifyError | Error, req, reply) => {
    if (!isPatchloopError(err) && isDiskFull(err)) {
      req.log.error({ err: loggable(err) }, 'the store is out of disk space');
      err = diskFullError(store);
    }
    if (isPatchloopError(err)) {
      const status = httpStatusOf(err.code);
      if (err.code === 'PL_DB_UNAVAILABLE') req.log.warn({ code: err.code }, err.message);
      // A fault of the server itself (not "unavailable for now"): the log says what happened.
      else if (status >= 500 && status !== 503 && status !== 507)
        req.log.error({ err: loggable(err) }, 'server fault');
      if (err.code === 'PL_DB_UNAVAILABLE' || err.code === 'PL_STORE_DISK_FULL')
        void reply.header('retry-after', '5');
      const retry = err.details.retryAfterSeconds;
      if (status === 429 && typeof retry === 'number') void reply.header('retry-after', String(retry));
      // Details a client can act on (e.g. each problem of a policy with its path and line).
      const details = Object.keys(err.details).length > 0 ? { details: err.details } : {};
      return reply.status(status).send({ error: { code: err.code, message: err.message, ...details } });
    }
    const fe = err as FastifyError;
    if (fe.validation) {
      return reply.status(400).send({ error: { code: 'PL_REQUEST_INVALID', message: fe.message } });
    }
    if (fe.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      return reply.status(413).send({ error: { code: 'PL_PAYLOAD_TOO_LARGE', message: fe.message } });
    }
    if (fe.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
      return reply.status(415).send({ error: { code: 'PL_MEDIA_TYPE_UNSUPPORTED', message: fe.message } });
    }
    if (fe.statusCode !== undefined && fe.statusCode >= 400 && fe.statusCode < 500) {
      return reply.status(fe.statusCode).send({ error: { code: 'PL_REQUEST_INVALID', message: fe.message } });
    }
    req.log.error({ err: loggable(err) }, 'unexpected error');
    return reply.status(500).send({ error: { code: 'PL_INTERNAL', message: 'internal server error' } });
  });
  app.setNotFoundHandler((req, reply) => {
    if (fallback?.(req, reply)) return reply;
    return reply
      .status(404)
      .send({ error: { code: 'PL_NOT_FOUND', message: `no route ${req.method} ${req.url.split('?')[0]}` } });
  });
}
