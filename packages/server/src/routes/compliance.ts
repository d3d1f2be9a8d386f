/** The compliance report (mounted at /api/v1/compliance): findings against their SLA, fleet-wide. */
import { Compliance } from '@patchloop/contracts';
import { READ } from '../auth/principal.js';
import type { Api } from '../api.js';
import { complianceReport } from '../services/dashboard.js';

export function complianceRoutes({ app, ctx }: Api): void {
  app.get(
    '',
    { config: { access: READ }, schema: { tags: ['findings'], response: { 200: Compliance } } },
    async () => complianceReport(ctx, ctx.now()),
  );
}
