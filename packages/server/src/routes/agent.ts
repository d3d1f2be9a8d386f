/**
 * The agent protocol: enrollment (shared secret; mounted at /api/v1/enroll)
 * and, with the agent credential (mounted at /api/v1/agent), check-in, the
 * job long poll and job reports.
 */
import {
  CheckinRequest,
  CheckinResponse,
  EnrollRequest,
  EnrollResponse,
  INVENTORY_LIMITS,
  JobPoll,
  JobPollResponse,
  JobReport,
  JobReportResponse,
} from '@patchloop/contracts';
import type { FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import type { Api } from '../api.js';
import { pollJobs } from '../services/agent-jobs.js';
import { checkin } from '../services/checkin.js';
import { enroll } from '../services/enroll.js';
import { throttledEnroll } from '../services/enroll-throttle.js';
import { agentSigningKey, rotationsFrom } from '../services/job-signing.js';
import { reportJob } from '../services/orchestrate.js';

const tags = ['agent'];

/** The host of the agent calling (the access rule 'agent' lets no one else in). */
function agentHost(req: FastifyRequest): number {
  const p = req.principal;
  if (p?.kind !== 'agent') throw new Error('unreachable: access rule lets only agents in');
  return p.hostId;
}

export function enrollRoutes({ app, ctx }: Api): void {
  app.post(
    '',
    {
      config: { access: 'public' },
      schema: { tags, security: [], body: EnrollRequest, response: { 201: EnrollResponse } },
    },
    async (req, reply) => {
      const r = await throttledEnroll(ctx, req.ip, () => enroll(ctx, req.body));
      // The agent pins the key jobs are signed with.
      return reply.status(201).send({ ...r, jobSigningKey: await agentSigningKey(ctx) });
    },
  );
}

export function agentRoutes({ app, ctx }: Api): void {
  app.post(
    '/checkin',
    {
      // Routine: heartbeats and inventories from every agent; only problems are logged.
      logLevel: 'warn',
      config: { access: 'agent' },
      bodyLimit: INVENTORY_LIMITS.maxBodyBytes,
      schema: { tags, body: CheckinRequest, response: { 200: CheckinResponse } },
    },
    async (req) => {
      const r = await checkin(ctx, agentHost(req), req.body);
      // An agent pinning an older key gets the rotation statements leading from it.
      const from = req.body.jobKeyId;
      // An agent enrolled before jobs were signed pins none: it gets the key, as at enrollment.
      if (from === undefined) return { ...r, jobSigningKey: await agentSigningKey(ctx) };
      const rotations = await rotationsFrom(ctx, from);
      return rotations.length > 0 ? { ...r, keyRotations: rotations } : r;
    },
  );

  app.post(
    '/jobs/poll',
    {
      // Routine: every idle agent asks once per long poll; only problems are logged.
      logLevel: 'warn',
      config: { access: 'agent' },
      schema: { tags, body: JobPoll, response: { 200: JobPollResponse } },
    },
    async (req, reply) => {
      const hostId = agentHost(req);
      // A real long poll: parked until a job is dispatched to this host, the time is up, the
      // agent hangs up (the response closes before it was sent) or the server shuts down.
      const gone = new AbortController();
      const onClose = () => {
        if (!reply.raw.writableFinished) gone.abort();
      };
      reply.raw.once('close', onClose);
      try {
        const { machineId, waitSeconds } = req.body;
        return await pollJobs(ctx, { hostId, machineId, waitSeconds, gone: gone.signal });
      } finally {
        reply.raw.off('close', onClose);
      }
    },
  );

  app.post(
    '/jobs/:id/report',
    {
      config: { access: 'agent' },
      schema: {
        tags,
        params: Type.Object({ id: Type.String({ pattern: '^[A-Za-z0-9_-]{8,64}$' }) }),
        body: JobReport,
        response: { 200: JobReportResponse },
      },
    },
    async (req) => reportJob(ctx, agentHost(req), req.params.id, req.body),
  );
}
