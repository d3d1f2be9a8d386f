/**
 * API tokens, apart from HTTP: issue one (its secret shown once, only its hash
 * kept) and revoke one (at once: the credential cache forgets it). Audited.
 */
import type { TokenCreate } from '@patchloop/contracts';
import { appendAudit, getToken, insertToken, revokeToken, type TokenRecord } from '@patchloop/store';
import type { Static } from 'typebox';
import { PatchloopError } from '@patchloop/core';
import { hashToken, newToken, publicIdOf } from '../auth/secrets.js';
import type { ServerContext } from '../context.js';

const DAY = 86_400_000;
const iso = (d: Date | null) => d?.toISOString() ?? null;

export async function issueToken(
  ctx: ServerContext,
  b: Static<typeof TokenCreate>,
  actor: string,
): Promise<{ record: TokenRecord; token: string }> {
  // "session:<user>" names a user's console session, which acts as that user (sessionUser).
  if (/^\s*session:/i.test(b.name)) {
    throw new PatchloopError(
      'PL_REQUEST_INVALID',
      'name may not start with "session:": that prefix names the sessions of signed-in users',
    );
  }
  const token = newToken('plt');
  const now = ctx.now();
  const record = await ctx.db.transaction(async (tx) => {
    const created = await insertToken(tx, {
      publicId: publicIdOf(token),
      secretHash: await hashToken(token),
      name: b.name,
      role: b.role,
      createdBy: actor,
      now,
      expiresAt: b.expiresInDays ? new Date(now.getTime() + b.expiresInDays * DAY) : null,
    });
    await appendAudit(tx, {
      actor,
      action: 'token.create',
      target: `token:${created.id}`,
      after: { name: created.name, role: created.role, expiresAt: iso(created.expiresAt) },
      at: now,
    });
    return created;
  });
  return { record, token };
}

/** Revokes token `id` (revoking it again keeps the first revocation time). */
export async function revokeApiToken(ctx: ServerContext, id: number, actor: string): Promise<TokenRecord> {
  const now = ctx.now();
  const t = await ctx.db.transaction(async (tx) => {
    const before = await getToken(tx, id);
    if (!before) throw new PatchloopError('PL_NOT_FOUND', `no token ${id}`);
    const after = await revokeToken(tx, before.id, now);
    await appendAudit(tx, {
      actor,
      action: 'token.revoke',
      target: `token:${before.id}`,
      before: { name: before.name, revokedAt: iso(before.revokedAt) },
      after: { revokedAt: iso(after?.revokedAt ?? null) },
      at: now,
    });
    return after as TokenRecord;
  });
  ctx.credentials.clear();
  return t;
}
