/**
 * Users over their lifetime: role changes, disabling and enabling, passwords
 * reset by an admin (or by `patchloop users reset-password` on the store) and
 * changed by their owner. Every change is audited; the credential cache is
 * cleared, so this replica applies it at once (others within a minute).
 *
 * - Disabled: the user cannot sign in, its sessions are revoked, and the API
 *   tokens it created stop working (they work again once it is enabled).
 * - A role change applies to the user's live sessions at once; its API tokens
 *   never act with more rights than it has now (authenticate.ts).
 * - A password reset revokes every session of the user; changing one's own
 *   password revokes the other sessions and keeps the current one.
 * - There is always an enabled admin: the last one cannot be disabled or
 *   demoted, and nobody disables itself.
 */
import type { Role } from '@patchloop/contracts';
import {
  appendAudit,
  lockEnabledAdmins,
  lockUser,
  revokeUserSessions,
  setUserPassword,
  setUserSessionRole,
  updateUser,
  type Queryable,
  type UserRecord,
} from '@patchloop/store';
import { PatchloopError } from '@patchloop/core';
import { passwordKeys } from '../auth/attempt-throttle.js';
import { hashPassword, newPassword, verifyHash } from '../auth/secrets.js';
import { countPasswordAttempt, passwordRight } from './sessions.js';
import type { ServerContext } from '../context.js';

export const MIN_PASSWORD_LENGTH = 12;

const notFound = (username: string) => new PatchloopError('PL_NOT_FOUND', `no user ${username}`);
const iso = (d: Date | null) => d?.toISOString() ?? null;

function checkPassword(password: string): void {
  if (password.length < MIN_PASSWORD_LENGTH) {
    throw new PatchloopError(
      'PL_REQUEST_INVALID',
      `password must be at least ${MIN_PASSWORD_LENGTH} characters`,
    );
  }
}

export interface UserChange {
  readonly role?: Role | undefined;
  readonly disabled?: boolean | undefined;
}

/** Changes a user's role and/or disables or enables it; `by` is the acting user's name, if a user acts. */
export async function changeUser(
  ctx: ServerContext,
  p: { username: string; change: UserChange; actor: string; by: string | null },
): Promise<UserRecord> {
  const now = ctx.now();
  const { username, change } = p;
  const updated = await ctx.db.transaction(async (tx) => {
    const admins = await lockEnabledAdmins(tx);
    const before = await lockUser(tx, username);
    if (!before) throw notFound(username);
    if (change.disabled === true && p.by === username) {
      throw new PatchloopError('PL_USER_SELF_DISABLE', 'you cannot disable yourself: another admin must');
    }
    const losesAdmin =
      before.role === 'admin' &&
      before.disabledAt === null &&
      (change.disabled === true || (change.role !== undefined && change.role !== 'admin'));
    if (losesAdmin && admins.length <= 1) {
      throw new PatchloopError(
        'PL_USER_LAST_ADMIN',
        `${username} is the last enabled admin: make another user admin first`,
      );
    }
    const disabledAt =
      change.disabled === undefined ? undefined : change.disabled ? (before.disabledAt ?? now) : null;
    const after = await updateUser(tx, username, { role: change.role, disabledAt });
    if (!after) throw notFound(username);
    if (after.role !== before.role) await setUserSessionRole(tx, username, after.role);
    const revoked = change.disabled === true ? await revokeUserSessions(tx, username, now) : [];
    const roleChanged = after.role !== before.role;
    const disabledChanged = (after.disabledAt === null) !== (before.disabledAt === null);
    if (roleChanged) {
      await appendAudit(tx, {
        actor: p.actor,
        action: 'user.role',
        target: `user:${username}`,
        before: { role: before.role },
        after: { role: after.role },
        at: now,
      });
    }
    if (disabledChanged) {
      await appendAudit(tx, {
        actor: p.actor,
        action: after.disabledAt ? 'user.disable' : 'user.enable',
        target: `user:${username}`,
        before: { disabledAt: iso(before.disabledAt) },
        after: { disabledAt: iso(after.disabledAt), sessionsRevoked: revoked.length },
        at: now,
      });
    }
    return after;
  });
  ctx.credentials.clear();
  return updated;
}

/**
 * Sets a user's password (an admin's reset, the CLI's, or
 * PATCHLOOP_ADMIN_PASSWORD): a generated one when none is given (returned
 * once, for the caller to show). Every session of the user is revoked.
 */
export async function resetPassword(
  ctx: ServerContext,
  p: { username: string; password?: string | undefined; actor: string; via?: string },
): Promise<{ user: UserRecord; generated: string | null }> {
  const generated = p.password === undefined ? newPassword() : null;
  const password = p.password ?? (generated as string);
  checkPassword(password);
  const hash = await hashPassword(password);
  const now = ctx.now();
  const user = await ctx.db.transaction(async (tx) => {
    const u = await lockUser(tx, p.username);
    if (!u) throw notFound(p.username);
    await writePassword(tx, u, hash, { actor: p.actor, action: 'user.password-reset', now, via: p.via });
    return u;
  });
  ctx.credentials.clear();
  return { user, generated };
}

/** One's own password: the current one must be given; the session in use stays, the others end. */
export async function changeOwnPassword(
  ctx: ServerContext,
  p: { username: string; current: string; next: string; keepSession: number | null; address: string },
): Promise<void> {
  checkPassword(p.next);
  // Guessing the current password here is throttled like signing in.
  const keys = passwordKeys('password', p.username, p.address, ctx.logins.limits);
  await countPasswordAttempt(ctx, keys);
  const hash = await hashPassword(p.next);
  const now = ctx.now();
  const ok = await ctx.db.transaction(async (tx) => {
    const u = await lockUser(tx, p.username);
    if (!u) throw notFound(p.username);
    if (!(await verifyHash(p.current, u.passwordHash))) return false;
    await writePassword(tx, u, hash, {
      actor: `user:${u.username}`,
      action: 'user.password-change',
      now,
      keep: p.keepSession,
    });
    return true;
  });
  if (!ok) throw new PatchloopError('PL_PASSWORD_WRONG', 'the current password is wrong');
  await passwordRight(ctx, keys);
  ctx.credentials.clear();
}

async function writePassword(
  tx: Queryable,
  u: UserRecord,
  hash: string,
  e: { actor: string; action: string; now: Date; via?: string | undefined; keep?: number | null },
): Promise<void> {
  await setUserPassword(tx, u.username, hash);
  const revoked = await revokeUserSessions(tx, u.username, e.now, e.keep ?? null);
  await appendAudit(tx, {
    actor: e.actor,
    action: e.action,
    target: `user:${u.username}`,
    after: { sessionsRevoked: revoked.length, ...(e.via ? { via: e.via } : {}) },
    at: e.now,
  });
}
