/** Deleting a policy: its versions stay for the record; audited with the document it had. */
import { appendAudit, deletePolicy, type PolicyRecord } from '@patchloop/store';
import { PatchloopError } from '@patchloop/core';
import type { ServerContext } from '../context.js';

export async function removePolicy(ctx: ServerContext, name: string, actor: string): Promise<PolicyRecord> {
  const now = ctx.now();
  return ctx.db.transaction(async (tx) => {
    const gone = await deletePolicy(tx, { name, by: actor, now });
    if (!gone) throw new PatchloopError('PL_NOT_FOUND', `no policy ${name}`);
    await appendAudit(tx, {
      actor,
      action: 'policy.delete',
      target: `policy:${gone.name}`,
      before: { version: gone.version, document: gone.document },
      after: null,
      at: now,
    });
    return gone;
  });
}
