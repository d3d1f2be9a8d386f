/** The agent protocol: enrollment (shared secret) and check-in (agent credential). */
import {
  CheckinRequest,
  CheckinResponse,
  EnrollRequest,
  EnrollResponse,
  INVENTORY_LIMITS,
} from '@patchloop/contracts';
import type { Api } from '../api.js';
import { checkin } from '../services/checkin.js';
import { enroll } from '../services/enroll.js';
import { throttledEnroll } from '../services/enroll-throttle.js';
import { agentSigningKey, rotationsFrom } from '../services/job-signing.js';

export function agentRoutes({ app, ctx }: Api): void {
  app.post(
    '/api/v1/enroll',
    {
      config: { access: 'public' },
      schema: { tags: ['agent'], security: [], body: EnrollRequest, response: { 201: EnrollResponse } },
    },
    async (req, reply) => {
      const r = await throttledEnroll(ctx, req.ip, () => enroll(ctx, req.body));
      // The agent pins the key jobs are signed with.
      return reply.status(201).send({ ...r, jobSigningKey: await agentSigningKey(ctx) });
    },
  );

  app.post(
    '/api/v1/agent/checkin',
    {
      // Routine: heartbeats and inventories from every agent; only problems are logged.
      logLevel: 'warn',
      config: { access: 'agent' },
      bodyLimit: INVENTORY_LIMITS.maxBodyBytes,
      schema: { tags: ['agent'], body: CheckinRequest, response: { 200: CheckinResponse } },
    },
    async (req) => {
      const p = req.principal;
      if (p?.kind !== 'agent') throw new Error('unreachable: access rule lets only agents in');
      const r = await checkin(ctx, p.hostId, req.body);
      // An agent pinning an older key gets the rotation statements leading from it.
      const from = req.body.jobKeyId;
      // An agent enrolled before jobs were signed pins none: it gets the key, as at enrollment.
      if (from === undefined) return { ...r, jobSigningKey: await agentSigningKey(ctx) };
      const rotations = await rotationsFrom(ctx, from);
      return rotations.length > 0 ? { ...r, keyRotations: rotations } : r;
    },
  );
}
