/**
 * Settings (mounted at /api/v1/settings): risk weights and SLA days, read by
 * everyone, changed by admins (audited; re-assesses the fleet). The
 * enrollment setting is its own module (enrollment.ts, at /settings/enrollment).
 */
import { RiskSettingsChange, RiskSettingsView } from '@patchloop/contracts';
import { actorOf, ADMIN, READ } from '../auth/principal.js';
import type { Api } from '../api.js';
import { changeRiskSettings, riskSettingsView } from '../services/risk-settings.js';

export function settingsRoutes({ app, ctx }: Api): void {
  app.get(
    '/risk',
    { config: { access: READ }, schema: { tags: ['settings'], response: { 200: RiskSettingsView } } },
    async () => riskSettingsView(ctx),
  );

  app.put(
    '/risk',
    {
      config: { access: ADMIN },
      schema: { tags: ['settings'], body: RiskSettingsChange, response: { 200: RiskSettingsView } },
    },
    async (req) => changeRiskSettings(ctx, req.body, actorOf(req.principal)),
  );
}
