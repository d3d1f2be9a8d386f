/** Signing out of a console session: its token is revoked at once (audited) and forgotten by the cache. */
import { appendAudit, revokeToken } from '@patchloop/store';
import type { ServerContext } from '../context.js';

export async function endSession(ctx: ServerContext, tokenId: number, actor: string): Promise<void> {
  const now = ctx.now();
  await ctx.db.transaction(async (tx) => {
    await revokeToken(tx, tokenId, now);
    await appendAudit(tx, { actor, action: 'session.end', target: `token:${tokenId}`, at: now });
  });
  ctx.credentials.forget((c) => c.kind === 'token' && c.tokenId === tokenId);
}
