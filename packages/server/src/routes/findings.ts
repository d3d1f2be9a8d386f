/** Findings across the fleet (mounted at /api/v1/findings), as a page or a CSV export. */
import { FindingList, FindingQuery } from '@patchloop/contracts';
import { READ } from '../auth/principal.js';
import type { Api } from '../api.js';
import { sendCsv } from '../services/csv.js';
import { findingBatches, findingPages, FINDING_CSV } from './views.js';

export function findingRoutes({ app, ctx }: Api): void {
  app.get(
    '',
    {
      config: { access: READ },
      schema: { tags: ['findings'], querystring: FindingQuery, response: { 200: FindingList } },
    },
    async (req, reply) => {
      if (req.query.format === 'csv')
        return sendCsv(reply, 'findings', FINDING_CSV, findingBatches(ctx, req.query));
      const page = await findingPages(ctx, req.query);
      return page(req.query.offset ?? 0, req.query.limit ?? 100);
    },
  );
}
