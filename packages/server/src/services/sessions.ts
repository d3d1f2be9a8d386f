/**
 * Signing in with a user name and password: a session token (12 hours) with
 * the user's role. API clients get the token in the body (POST /api/v1/sessions);
 * the console gets it in an HttpOnly cookie (POST /api/v1/session) and a CSRF
 * token derived from it, which it sends back on every request that changes state.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Role } from '@patchloop/contracts';
import { appendAudit, findUser, insertToken } from '@patchloop/store';
import { PatchloopError } from '@patchloop/core';
import { passwordKeys, type ThrottleKey } from '../auth/attempt-throttle.js';
import { hashPassword, hashToken, newToken, publicIdOf, verifyHash } from '../auth/secrets.js';
import type { ServerContext } from '../context.js';

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
  const keys = passwordKeys('login', username, address, ctx.logins.limits);
  await countPasswordAttempt(ctx, keys);
  const u = await findUser(ctx.db, username);
  // Same work whether or not the user exists.
  const ok =
    u !== null && u.disabledAt === null
      ? await verifyHash(password, u.passwordHash)
      : (await hashPassword(password), false);
  if (!ok || !u) throw new PatchloopError('PL_AUTH_REQUIRED', 'wrong user name or password');
  await passwordRight(ctx, keys);
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
 * Counts a password attempt before the password is hashed (so concurrent guesses are all
 * counted), or refuses it with 429 PL_AUTH_THROTTLED and the seconds to wait.
 */
export async function countPasswordAttempt(ctx: ServerContext, keys: readonly ThrottleKey[]): Promise<void> {
  const wait = await ctx.logins.attempt(keys, ctx.now());
  if (wait !== null) {
    throw new PatchloopError('PL_AUTH_THROTTLED', `too many wrong passwords: try again in ${wait} s`, {
      retryAfterSeconds: wait,
    });
  }
}

/** A right password: its attempt is given back and the account's count from this address starts over. */
export async function passwordRight(ctx: ServerContext, keys: readonly ThrottleKey[]): Promise<void> {
  const [userAddr, ...others] = keys;
  await ctx.logins.succeeded(others, userAddr ? [userAddr] : [], ctx.now());
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
