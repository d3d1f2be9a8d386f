/** Risk weights and SLA days: read by everyone, changed by admins (audited; re-assesses the fleet). */
import { DEFAULT_RISK_WEIGHTS, DEFAULT_SLA, parseRiskWeights, parseSlaPolicy } from '@patchloop/core';
import { RiskSettingsView } from '@patchloop/contracts';
import {
  appendAudit,
  loadRiskSettings,
  queueAssessAll,
  saveRiskWeights,
  saveSlaPolicy,
} from '@patchloop/store';
import { Type } from 'typebox';
import { actorOf, ADMIN, READ } from '../auth/principal.js';
import type { Api } from '../api.js';

const RiskSettingsBody = Type.Object(
  {
    /** Partial weights merged over the defaults (see core/risk); null resets to the defaults. */
    weights: Type.Optional(Type.Union([Type.Record(Type.String(), Type.Unknown()), Type.Null()])),
    /** { days: { P1, P2, P3, P4 }, dueSoonDays }, partial; null resets. */
    sla: Type.Optional(Type.Union([Type.Record(Type.String(), Type.Unknown()), Type.Null()])),
  },
  { additionalProperties: false },
);
export function settingsRoutes({ app, ctx }: Api): void {
  const view = async () => {
    const s = await loadRiskSettings(ctx.db);
    return {
      // Plain JSON objects in the response (the schema's Records), copied from the typed settings.
      weights: { ...s.weights },
      sla: s.sla,
      defaults: { weights: { ...DEFAULT_RISK_WEIGHTS }, sla: DEFAULT_SLA },
    };
  };

  app.get(
    '/api/v1/settings/risk',
    { config: { access: READ }, schema: { tags: ['settings'], response: { 200: RiskSettingsView } } },
    view,
  );

  app.put(
    '/api/v1/settings/risk',
    {
      config: { access: ADMIN },
      schema: { tags: ['settings'], body: RiskSettingsBody, response: { 200: RiskSettingsView } },
    },
    async (req) => {
      // Validated (and the PatchloopError's code returned as a 400) before anything is stored.
      const weights =
        req.body.weights === undefined
          ? undefined
          : req.body.weights === null
            ? null
            : parseRiskWeights(req.body.weights);
      const sla =
        req.body.sla === undefined ? undefined : req.body.sla === null ? null : parseSlaPolicy(req.body.sla);
      const now = ctx.now();
      await ctx.db.transaction(async (tx) => {
        const before = await loadRiskSettings(tx);
        if (weights !== undefined) await saveRiskWeights(tx, weights, now);
        if (sla !== undefined) await saveSlaPolicy(tx, sla, now);
        await appendAudit(tx, {
          actor: actorOf(req.principal),
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
      return view();
    },
  );
}
