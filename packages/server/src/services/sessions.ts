/**
 * Signing in with a user name and password: a session token (12 hours) with
 * the user's role. API clients get the token in the body (POST /api/v1/sessions);
 * the console gets it in an HttpOnly cookie (POST /api/v1/session) and a CSRF
 * token derived from it, which it sends back on every request that changes state.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Role } from '@patchloop/contracts';
import { appendAudit, findUser, insertToken } from '@patchloop/store';
import { hashPassword, hashToken, newToken, publicIdOf, verifyHash } from '../auth/secrets.js';
import type { ServerContext } from '../context.js';
import { ApiError } from '../errors.js';

export const SESSION_HOURS = 12;
export const SESSION_COOKIE = 'pl_session';
export const CSRF_HEADER = 'x-csrf-token';

export interface Session {
  readonly token: string;
  readonly tokenId: number;
  readonly username: string;
  readonly role: Role;
  readonly expiresAt: Date;
}

export async function signIn(
  ctx: ServerContext,
  username: string,
  password: string,
  via: 'api' | 'console',
  address: string,
): Promise<Session> {
  const nowMs = ctx.now().getTime();
  const wait = ctx.logins.retryAfter(username, address, nowMs);
  if (wait !== null) {
    throw new ApiError(429, 'PL_AUTH_THROTTLED', `too many wrong passwords: try again in ${wait} s`, {
      retryAfterSeconds: wait,
    });
  }
  const u = await findUser(ctx.db, username);
  // Same work whether or not the user exists.
  const ok =
    u !== null && u.disabledAt === null
      ? await verifyHash(password, u.passwordHash)
      : (await hashPassword(password), false);
  if (!ok || !u) {
    ctx.logins.failed(username, address, nowMs);
    throw new ApiError(401, 'PL_AUTH_REQUIRED', 'wrong user name or password');
  }
  ctx.logins.succeeded(username, address);
  const token = newToken('plt');
  const now = ctx.now();
  const expiresAt = new Date(now.getTime() + SESSION_HOURS * 3_600_000);
  const tokenId = await ctx.db.transaction(async (tx) => {
    const t = await insertToken(tx, {
      publicId: publicIdOf(token),
      secretHash: await hashToken(token),
      name: `session:${u.username}`,
      role: u.role,
      createdBy: `user:${u.username}`,
      now,
      expiresAt,
    });
    await appendAudit(tx, {
      actor: `user:${u.username}`,
      action: 'session.create',
      target: `token:${t.id}`,
      after: { via },
      at: now,
    });
    return t.id;
  });
  return { token, tokenId, username: u.username, role: u.role, expiresAt };
}

/**
 * The CSRF token of a cookie session: an HMAC keyed by the session token, so
 * it is bound to that session, needs no storage and cannot be computed by a
 * page that cannot read the (HttpOnly) cookie.
 */
export function csrfTokenFor(sessionToken: string): string {
  return createHmac('sha256', sessionToken).update('patchloop-csrf-v1').digest('base64url');
}

export function csrfTokenMatches(sessionToken: string, sent: string | undefined): boolean {
  if (typeof sent !== 'string' || sent.length === 0) return false;
  const want = Buffer.from(csrfTokenFor(sessionToken));
  const got = Buffer.from(sent);
  return want.length === got.length && timingSafeEqual(want, got);
}
