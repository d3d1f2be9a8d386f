/** Job signing: the key jobs are signed with, and its rotation (admins; audited). */
import { JobSigningRotateResponse, JobSigningStatus } from '@patchloop/contracts';
import { actorOf, ADMIN } from '../auth/principal.js';
import type { Api } from '../api.js';
import { jobSigningStatus, rotateJobKey } from '../services/job-signing.js';

export function jobSigningRoutes({ app, ctx }: Api): void {
  app.get(
    '',
    { config: { access: ADMIN }, schema: { tags: ['admin'], response: { 200: JobSigningStatus } } },
    async () => jobSigningStatus(ctx),
  );

  app.post(
    '/rotate',
    {
      config: { access: ADMIN },
      schema: { tags: ['admin'], response: { 200: JobSigningRotateResponse } },
    },
    async (req) => rotateJobKey(ctx, actorOf(req.principal)),
  );
}
