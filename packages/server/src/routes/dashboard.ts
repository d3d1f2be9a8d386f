/** The console's dashboard: fleet figures that agree with the lists they link to, and their trend. */
import { Dashboard, DashboardQuery } from '@patchloop/contracts';
import { READ } from '../auth/principal.js';
import type { Api } from '../api.js';
import { dashboard } from '../services/dashboard.js';

export function dashboardRoutes({ app, ctx }: Api): void {
  app.get(
    '',
    {
      config: { access: READ },
      schema: { tags: ['findings'], querystring: DashboardQuery, response: { 200: Dashboard } },
    },
    async (req) => dashboard(ctx, req.query.days ?? 30),
  );
}
