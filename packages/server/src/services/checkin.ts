/**
 * A check-in: heartbeat, facts, and the inventory in full, as a diff against
 * what the server acknowledged, or as its hash alone. The common case (no
 * change) is one UPDATE. An inventory change is stored in one transaction
 * and queues an assessment of that host.
 */
import type { CheckinRequest, CheckinResponse, DiffInventory, FullInventory } from '@patchloop/contracts';
import { canonicalInventory, packageKey, type InstalledPackage, PatchloopError } from '@patchloop/core';
import {
  queueAssessHost,
  getHost,
  loadHostPackages,
  setHostAgentVersion,
  storeInventory,
  storeInventoryDiff,
  updateHostFacts,
  lockHostInventory,
} from '@patchloop/store';
import { sha256 } from '../auth/secrets.js';
import type { ServerContext } from '../context.js';
import { heartbeatWriter } from './heartbeats.js';
import { hostRetired } from './host-lifecycle.js';

function canonicalFacts(facts: CheckinRequest['facts']): string {
  const sort = (v: unknown): unknown =>
    Array.isArray(v)
      ? v.map(sort)
      : v !== null && typeof v === 'object'
        ? Object.fromEntries(
            Object.keys(v)
              .sort()
              .map((k) => [k, sort((v as Record<string, unknown>)[k])]),
          )
        : v;
  return JSON.stringify(sort(facts));
}

const invalid = (message: string) => new PatchloopError('PL_CHECKIN_INVENTORY_INVALID', message);

function normalize(p: FullInventory['packages'][number]): InstalledPackage {
  const base = {
    name: p.name,
    version: p.version,
    arch: p.arch,
    sourceName: p.sourceName,
    sourceVersion: p.sourceVersion,
    vendor: p.vendor ? p.vendor : null,
  };
  return p.epochKnown === false ? { ...base, epochKnown: false } : base;
}

function checkUnique(packages: readonly InstalledPackage[]): void {
  const seen = new Set<string>();
  for (const p of packages) {
    const k = packageKey(p);
    if (seen.has(k)) throw invalid(`package ${p.name} (${p.arch ?? 'no arch'}) is listed twice`);
    seen.add(k);
  }
}

function applyDiff(current: readonly InstalledPackage[], diff: DiffInventory): InstalledPackage[] {
  const byKey = new Map(current.map((p) => [packageKey(p), p]));
  for (const r of diff.removed) {
    if (!byKey.delete(packageKey(r)))
      throw invalid(`the diff removes ${r.name} (${r.arch}), which is not installed`);
  }
  const added = diff.added.map(normalize);
  checkUnique(added);
  for (const p of added) byKey.set(packageKey(p), p);
  return [...byKey.values()];
}

export async function checkin(
  ctx: ServerContext,
  hostId: number,
  req: CheckinRequest,
): Promise<CheckinResponse> {
  const now = ctx.now();
  const interval = ctx.config.checkinIntervalSeconds;
  // The heartbeat first, alone: whatever fails later (the agent's version, facts, inventory), the
  // host was seen. It once also set agent_version, so a value the database refused lost it too.
  const state = await heartbeatWriter(ctx).record(hostId, req.machineId, now);
  if (!state) {
    const exists = await getHost(ctx.db, hostId);
    if (exists === null)
      throw new PatchloopError('PL_AUTH_REQUIRED', 'the host of this credential no longer exists');
    if (exists.retired) throw hostRetired(exists);
    throw new PatchloopError(
      'PL_AGENT_HOST_MISMATCH',
      `machine ${req.machineId} is not the host this credential was issued to`,
    );
  }
  if (state.agentVersion !== req.agentVersion) {
    await setHostAgentVersion(ctx.db, hostId, req.agentVersion);
  }
  const factsHash = sha256(canonicalFacts(req.facts));
  if (factsHash !== state.factsHash) {
    await updateHostFacts(ctx.db, hostId, req.facts, factsHash);
    // New facts (a reboot now required or done, another release) change the patch status and EOL: re-assess.
    await queueAssessHost(ctx.db, hostId, now);
    ctx.wakeJobs();
  }

  const inv = req.inventory;
  const stored = state.inventoryHash;
  if (inv.kind === 'same' || inv.hash === stored) {
    const same = inv.hash === stored;
    return { acknowledged: stored, needFull: !same, nextCheckinSeconds: interval };
  }
  if (inv.kind === 'diff' && inv.base !== stored) {
    // The server holds something else than the agent's base: start over with a full upload.
    return { acknowledged: stored, needFull: true, nextCheckinSeconds: interval };
  }
  const result = await ctx.db.transaction(async (tx) => {
    // One check-in of a host at a time changes its inventory.
    const current = await lockHostInventory(tx, hostId);
    if (inv.kind === 'diff' && inv.base !== current) return { needFull: true, hash: current };
    let packages: InstalledPackage[];
    if (inv.kind === 'full') {
      packages = inv.packages.map(normalize);
      checkUnique(packages);
    } else {
      packages = applyDiff(await loadHostPackages(tx, hostId), inv);
    }
    const hash = sha256(canonicalInventory(inv.manager, packages, inv.updates));
    if (hash !== inv.hash) {
      throw invalid(
        inv.kind === 'full'
          ? 'the inventory does not match its hash (garbled in transit?)'
          : 'the diff applied to the acknowledged inventory does not give the stated hash: send the full inventory',
      );
    }
    if (inv.kind === 'full') {
      await storeInventory(tx, hostId, { manager: inv.manager, packages, updates: inv.updates, hash }, now);
    } else {
      const added = inv.added.map(normalize);
      const d = { manager: inv.manager, added, removed: inv.removed, updates: inv.updates, hash };
      await storeInventoryDiff(tx, hostId, { ...d, packageCount: packages.length }, now);
    }
    await queueAssessHost(tx, hostId, now);
    return { needFull: false, hash };
  });
  // Again after the commit: a queued assessment (the facts' one above) that a worker claimed while this
  // transaction ran read the host without this inventory, and the one queued inside was folded into it
  // (one queued job per host). Queued now, it runs after the commit; still queued, this is a no-op.
  if (!result.needFull) await queueAssessHost(ctx.db, hostId, now);
  ctx.wakeJobs();
  return { acknowledged: result.hash, needFull: result.needFull, nextCheckinSeconds: interval };
}
