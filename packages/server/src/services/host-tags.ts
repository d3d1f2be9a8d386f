/**
 * Tags on many hosts at once (POST /api/v1/hosts/tags): one transaction, all
 * or nothing. Each host whose tags change gets what PATCH /api/v1/hosts/:id
 * gives a tag edit: a `host.edit` audit event with the tags before and
 * after, and a queued re-assessment.
 */
import { appendAudit, queueAssessHost, retagHosts } from '@patchloop/store';
import { PatchloopError } from '@patchloop/core';
import type { ServerContext } from '../context.js';

/** Returns how many hosts' tags changed; unknown host ids → 404 PL_NOT_FOUND naming them, nothing changed. */
export async function changeHostTags(
  ctx: ServerContext,
  actor: string,
  change: { hostIds: readonly number[]; add?: readonly string[]; remove?: readonly string[] },
): Promise<number> {
  const now = ctx.now();
  const updated = await ctx.db.transaction(async (tx) => {
    const r = await retagHosts(tx, change.hostIds, { add: change.add ?? [], remove: change.remove ?? [] });
    if (r.missing.length > 0) {
      throw new PatchloopError('PL_NOT_FOUND', `no host ${r.missing.join(', ')}: no tags were changed`, {
        hostIds: r.missing,
      });
    }
    for (const c of r.changed) {
      await queueAssessHost(tx, c.id, now);
    }
    // Audit last: the append holds the log's head row to the end of the transaction.
    for (const c of r.changed) {
      await appendAudit(tx, {
        actor,
        action: 'host.edit',
        target: `host:${c.id}`,
        before: { tags: c.before },
        after: { tags: c.after },
        at: now,
      });
    }
    return r.changed.length;
  });
  if (updated > 0) ctx.wakeJobs();
  return updated;
}
