/**
 * An offline host imported from its inventory file (POST /api/v1/hosts/import): what the
 * CLI's `hosts import --server` sends instead of opening the server's store.
 */
import { HOST_IMPORT_MAX_BYTES, HostImportRequest, HostImportResult } from '@patchloop/contracts';
import { actorOf, WRITE } from '../../auth/principal.js';
import type { Api } from '../../api.js';
import { importHostFile } from '../../services/import-host.js';

export function hostImportRoutes({ app, ctx }: Api): void {
  app.post(
    '/import',
    {
      config: { access: WRITE },
      // JSON escapes make the body longer than the file it carries.
      bodyLimit: HOST_IMPORT_MAX_BYTES * 2,
      schema: { tags: ['hosts'], body: HostImportRequest, response: { 200: HostImportResult } },
    },
    async (req) => importHostFile(ctx, req.body, actorOf(req.principal)),
  );
}
