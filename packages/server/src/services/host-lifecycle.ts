/**
 * A host's end of life. Two ways out, both audited:
 *
 * - Retire: the host stays in the store with its inventory, findings and
 *   deployment history, and in the audit log and the trend (its findings
 *   count until the day it was retired); it leaves every current figure —
 *   the hosts list (unless asked for: `retired=true`, `include=retired`),
 *   dashboard, compliance, findings, vulnerabilities, remediation, policy
 *   simulations and deployments. Its queued deployment tasks are skipped.
 *   Its agent keeps its credential but is refused (PL_HOST_RETIRED) at
 *   check-in, job poll and enrollment, and stops. Reinstating undoes it.
 * - Delete: the host is forgotten — its row, credentials, inventory,
 *   findings, host-scoped exceptions and deployment tasks are removed. Only
 *   the audit log keeps it (the `host.delete` event records what it was).
 *   The machine may enroll again later as a new host.
 */
import {
  appendAudit,
  deleteHost,
  queueAssessHost,
  getHost,
  setHostRetired,
  skipHostQueuedTasks,
  type HostRecord,
} from '@patchloop/store';
import { PatchloopError } from '@patchloop/core';
import type { ServerContext } from '../context.js';

const notFound = (id: number) => new PatchloopError('PL_NOT_FOUND', `no host ${id}`);

/** The error a retired host's agent gets: it says what happened and what to do. */
export function hostRetired(h: HostRecord): PatchloopError {
  const when = h.retired ? ` on ${h.retired.at.toISOString()} by ${h.retired.by}` : '';
  return new PatchloopError(
    'PL_HOST_RETIRED',
    `host ${h.id} (${h.hostname}) was retired${when}: this agent stops. To manage this machine again, reinstate the host (POST /api/v1/hosts/${h.id}/reinstate) or delete it and enroll anew`,
  );
}

export async function retireHost(
  ctx: ServerContext,
  p: { id: number; actor: string; reason: string | null },
): Promise<HostRecord> {
  const now = ctx.now();
  const after = await ctx.db.transaction(async (tx) => {
    const before = await getHost(tx, p.id);
    if (!before) throw notFound(p.id);
    if (before.retired) throw new PatchloopError('PL_CONFLICT', `host ${before.hostname} is already retired`);
    const retired = await setHostRetired(tx, p.id, { at: now, by: p.actor, reason: p.reason });
    const skipped = await skipHostQueuedTasks(tx, p.id, 'host retired', now);
    await appendAudit(tx, {
      actor: p.actor,
      action: 'host.retire',
      target: `host:${p.id}`,
      after: { hostname: before.hostname, reason: p.reason, tasksSkipped: skipped },
      at: now,
    });
    return retired as HostRecord;
  });
  // Its agent's cached credential would still pass the auth hook: the check-in refuses it anyway.
  return after;
}

export async function reinstateHost(
  ctx: ServerContext,
  p: { id: number; actor: string },
): Promise<HostRecord> {
  const now = ctx.now();
  const after = await ctx.db.transaction(async (tx) => {
    const before = await getHost(tx, p.id);
    if (!before) throw notFound(p.id);
    if (!before.retired) throw new PatchloopError('PL_CONFLICT', `host ${before.hostname} is not retired`);
    const h = await setHostRetired(tx, p.id, null);
    await appendAudit(tx, {
      actor: p.actor,
      action: 'host.reinstate',
      target: `host:${p.id}`,
      before: { retiredAt: before.retired.at.toISOString(), retiredBy: before.retired.by },
      at: now,
    });
    // Its findings were left as they were: assess again with today's advisories.
    await queueAssessHost(tx, p.id, now);
    return h as HostRecord;
  });
  ctx.wakeJobs();
  return after;
}

export async function removeHost(ctx: ServerContext, p: { id: number; actor: string }): Promise<void> {
  const now = ctx.now();
  await ctx.db.transaction(async (tx) => {
    const before = await getHost(tx, p.id);
    if (!before) throw notFound(p.id);
    await deleteHost(tx, p.id);
    await appendAudit(tx, {
      actor: p.actor,
      action: 'host.delete',
      target: `host:${p.id}`,
      before: {
        hostname: before.hostname,
        machineId: before.machineId,
        transport: before.transport,
        os: before.os,
        retiredAt: before.retired?.at.toISOString() ?? null,
      },
      at: now,
    });
  });
  ctx.credentials.forget((c) => c.kind === 'agent' && c.hostId === p.id);
}
