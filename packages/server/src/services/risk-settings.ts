/**
 * Risk weights and SLA days: the view everyone reads, and an admin's change
 * (validated, saved and audited in one transaction, then the fleet queued
 * for re-assessment, in range jobs of a thousand hosts, since every
 * finding's score and due date may change).
 */
import type { RiskSettingsChange, RiskSettingsView } from '@patchloop/contracts';
import { DEFAULT_RISK_WEIGHTS, DEFAULT_SLA, parseRiskWeights, parseSlaPolicy } from '@patchloop/core';
import {
  appendAudit,
  loadRiskSettings,
  queueAssessAll,
  saveRiskWeights,
  saveSlaPolicy,
} from '@patchloop/store';
import type { ServerContext } from '../context.js';

export async function riskSettingsView(ctx: ServerContext): Promise<RiskSettingsView> {
  const s = await loadRiskSettings(ctx.db);
  return {
    // Plain JSON objects in the response (the schema's Records), copied from the typed settings.
    weights: { ...s.weights },
    sla: s.sla,
    defaults: { weights: { ...DEFAULT_RISK_WEIGHTS }, sla: DEFAULT_SLA },
  };
}

export async function changeRiskSettings(
  ctx: ServerContext,
  change: RiskSettingsChange,
  actor: string,
): Promise<RiskSettingsView> {
  // Validated (a PatchloopError with its code) before anything is stored.
  const weights =
    change.weights === undefined
      ? undefined
      : change.weights === null
        ? null
        : parseRiskWeights(change.weights);
  const sla = change.sla === undefined ? undefined : change.sla === null ? null : parseSlaPolicy(change.sla);
  const now = ctx.now();
  await ctx.db.transaction(async (tx) => {
    const before = await loadRiskSettings(tx);
    if (weights !== undefined) await saveRiskWeights(tx, weights, now);
    if (sla !== undefined) await saveSlaPolicy(tx, sla, now);
    await appendAudit(tx, {
      actor,
      action: 'settings.risk',
      target: 'setting:risk',
      before,
      after: await loadRiskSettings(tx),
      at: now,
    });
    // Every finding's score and due date may change.
    await queueAssessAll(tx, now);
  });
  ctx.wakeJobs();
  return riskSettingsView(ctx);
}
