/** A new console user, created by an admin: its password stored hashed; audited. */
import type { UserCreate } from '@patchloop/contracts';
import { appendAudit, insertUser, type UserRecord } from '@patchloop/store';
import type { Static } from 'typebox';
import { PatchloopError } from '@patchloop/core';
import { hashPassword } from '../auth/secrets.js';
import type { ServerContext } from '../context.js';

export async function createUser(
  ctx: ServerContext,
  b: Static<typeof UserCreate>,
  actor: string,
): Promise<UserRecord> {
  const now = ctx.now();
  const passwordHash = await hashPassword(b.password);
  return ctx.db.transaction(async (tx) => {
    const created = await insertUser(tx, { username: b.username, passwordHash, role: b.role, now });
    if (!created) throw new PatchloopError('PL_CONFLICT', `user ${b.username} exists`);
    await appendAudit(tx, {
      actor,
      action: 'user.create',
      target: `user:${created.username}`,
      after: { role: created.role },
      at: now,
    });
    return created;
  });
}
