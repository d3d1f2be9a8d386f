/** Editing a host's attributes (owner, criticality, tags…): audited, and its findings re-assessed. */
import type { HostPatch } from '@patchloop/contracts';
import { appendAudit, editHost, getHost, queueAssessHost, type HostRecord } from '@patchloop/store';
import { PatchloopError } from '@patchloop/core';
import type { ServerContext } from '../context.js';

const notFound = (id: number) => new PatchloopError('PL_NOT_FOUND', `no host ${id}`);

export async function editHostAs(
  ctx: ServerContext,
  e: { id: number; patch: HostPatch; actor: string },
): Promise<HostRecord> {
  const { id, patch } = e;
  const edited = await ctx.db.transaction(async (tx) => {
    const before = await getHost(tx, id);
    if (!before) throw notFound(id);
    const after = await editHost(tx, id, patch);
    if (!after) throw notFound(id);
    const pick = (h: typeof before) =>
      Object.fromEntries(Object.keys(patch).map((k) => [k, h[k as keyof typeof h]]));
    await appendAudit(tx, {
      actor: e.actor,
      action: 'host.edit',
      target: `host:${id}`,
      before: pick(before),
      after: pick(after),
      at: ctx.now(),
    });
    // Criticality, exposure, environment and user risk change the findings' risk: re-assess.
    await queueAssessHost(tx, id, ctx.now());
    return after;
  });
  ctx.wakeJobs();
  return edited;
}
