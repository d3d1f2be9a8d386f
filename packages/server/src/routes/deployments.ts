/**
 * Deployments: start (from a policy, by hand), follow (rings, hosts, logs),
 * steer (halt, resume, cancel, roll back), export the change record; and the
 * agent side: long-poll for jobs, report on them.
 */
import type { AgentJob } from '@patchloop/contracts';
import {
  DeploymentCreate,
  DeploymentList,
  DeploymentListQuery,
  DeploymentView,
  HostDeploymentHistory,
  JobPoll,
  JobPollResponse,
  JobReport,
  JobReportResponse,
  Paging,
} from '@patchloop/contracts';
import { tick } from '@patchloop/core';
import {
  getDeployment,
  getHost,
  listDeployments,
  listTasks,
  pendingTasksForHost,
  skipQueuedTasks,
  tasksForHost,
  updateDeployment,
  type DeploymentRecord,
} from '@patchloop/store';
import { Type, type Static } from 'typebox';
import { actorOf, READ, WRITE } from '../auth/principal.js';
import type { Api } from '../api.js';
import { ApiError } from '../errors.js';
import {
  audit,
  createFromPolicy,
  createManual,
  createRollback,
  signedJobOf,
  stateOf,
} from '../services/deployments.js';
import { hostRetired } from '../services/host-lifecycle.js';
import { sendCsv, type CsvColumns } from '../services/csv.js';
import { reportJob } from '../services/orchestrate.js';
import { changeRecordCsv, deploymentView } from './deployment-view.js';

const IdParams = Type.Object({ id: Type.Integer({ minimum: 1 }) });
const summary = (d: DeploymentRecord) => ({
  id: d.id,
  kind: d.kind,
  status: d.status,
  policy: d.policy,
  createdBy: d.createdBy,
  createdAt: d.createdAt.toISOString(),
  waiting: d.waiting,
});

const DEPLOYMENT_CSV: CsvColumns<ReturnType<typeof summary>> = {
  id: (d) => d.id,
  kind: (d) => d.kind,
  status: (d) => d.status,
  policy: (d) => d.policy,
  created_by: (d) => d.createdBy,
  created_at: (d) => d.createdAt,
  waiting: (d) => d.waiting,
};

export function deploymentRoutes({ app, ctx }: Api): void {
  const detail = async (id: number): Promise<Static<typeof DeploymentView>> => {
    const d = await getDeployment(ctx.db, id);
    if (!d) throw new ApiError(404, 'PL_NOT_FOUND', `no deployment ${id}`);
    const tasks = await listTasks(ctx.db, id);
    const rings = tick(stateOf(d, tasks), ctx.now()).rings;
    return deploymentView(ctx.db, d, tasks, rings);
  };

  app.post(
    '/api/v1/deployments',
    {
      config: { access: WRITE },
      schema: { tags: ['deployments'], body: DeploymentCreate, response: { 201: DeploymentView } },
    },
    async (req, reply) => {
      const b = req.body;
      const actor = actorOf(req.principal);
      const opts = { deadlineHours: b.deadlineHours, timeoutSeconds: b.timeoutSeconds };
      let d: DeploymentRecord;
      if (b.policy !== undefined) {
        if (b.hosts || b.packages || b.advisories) {
          throw new ApiError(
            400,
            'PL_REQUEST_INVALID',
            'give either a policy, or hosts with packages or advisories',
          );
        }
        d = await createFromPolicy(ctx, b.policy, actor, opts);
      } else {
        if (!b.hosts || (!b.packages && !b.advisories)) {
          throw new ApiError(
            400,
            'PL_REQUEST_INVALID',
            'give a policy, or hosts with packages or advisories',
          );
        }
        d = await createManual(
          ctx,
          { hostIds: b.hosts, packages: b.packages, advisories: b.advisories, reboot: b.reboot },
          actor,
          opts,
        );
      }
      ctx.wakeJobs();
      return reply.status(201).send(await detail(d.id));
    },
  );

  app.get(
    '/api/v1/deployments',
    {
      config: { access: READ },
      schema: {
        tags: ['deployments'],
        querystring: DeploymentListQuery,
        response: { 200: DeploymentList },
      },
    },
    async (req, reply) => {
      const page = async (offset: number, limit: number) => {
        const r = await listDeployments(ctx.db, { limit, offset, status: req.query.status });
        return { items: r.items.map(summary), total: r.total };
      };
      if (req.query.format === 'csv') return sendCsv(reply, 'deployments', DEPLOYMENT_CSV, page);
      return page(req.query.offset ?? 0, req.query.limit ?? 50);
    },
  );

  app.get(
    '/api/v1/deployments/:id',
    {
      config: { access: READ },
      schema: { tags: ['deployments'], params: IdParams, response: { 200: DeploymentView } },
    },
    async (req) => detail(req.params.id),
  );

  app.get(
    '/api/v1/deployments/:id/record',
    {
      config: { access: READ },
      schema: {
        tags: ['deployments'],
        params: IdParams,
        querystring: Type.Object({ format: Type.Optional(Type.Enum(['json', 'csv'] as const)) }),
      },
    },
    async (req, reply) => {
      const v = await detail(req.params.id);
      if (req.query.format === 'csv') {
        return reply
          .type('text/csv; charset=utf-8')
          .header('content-disposition', `attachment; filename="deployment-${v.id}.csv"`)
          .send(changeRecordCsv(v));
      }
      return reply.header('content-disposition', `attachment; filename="deployment-${v.id}.json"`).send(v);
    },
  );

  const steer = (action: 'halt' | 'resume' | 'cancel', from: string[], to: string) =>
    app.post(
      `/api/v1/deployments/:id/${action}`,
      {
        config: { access: WRITE },
        schema: { tags: ['deployments'], params: IdParams, response: { 200: DeploymentView } },
      },
      async (req) => {
        const now = ctx.now();
        await ctx.db.transaction(async (tx) => {
          const d = await getDeployment(tx, req.params.id, true);
          if (!d) throw new ApiError(404, 'PL_NOT_FOUND', `no deployment ${req.params.id}`);
          if (!from.includes(d.status))
            throw new ApiError(
              409,
              'PL_CONFLICT',
              `deployment ${d.id} is ${d.status}: it cannot be ${action}ed`,
            );
          await updateDeployment(tx, d.id, {
            status: to,
            waiting:
              action === 'halt'
                ? `halted by ${actorOf(req.principal)}`
                : action === 'cancel'
                  ? 'cancelled'
                  : null,
            ...(to === 'cancelled' ? { finishedAt: now } : {}),
            ...(action === 'resume' ? { resumedAt: now } : {}),
            now,
          });
          if (to === 'cancelled') {
            await skipQueuedTasks(tx, d.id, `deployment cancelled by ${actorOf(req.principal)}`, now);
          }
          await audit(
            tx,
            actorOf(req.principal),
            `deployment.${action}`,
            d,
            { status: d.status },
            { status: to },
            now,
          );
        });
        ctx.wakeJobs();
        return detail(req.params.id);
      },
    );
  steer('halt', ['planned', 'running'], 'halted');
  steer('resume', ['halted'], 'running');
  steer('cancel', ['planned', 'running', 'halted'], 'cancelled');

  app.post(
    '/api/v1/deployments/:id/rollback',
    {
      config: { access: WRITE },
      schema: {
        tags: ['deployments'],
        params: IdParams,
        body: Type.Optional(
          Type.Object(
            { hostId: Type.Optional(Type.Integer({ minimum: 1 })) },
            { additionalProperties: false },
          ),
        ),
        response: { 201: DeploymentView },
      },
    },
    async (req, reply) => {
      const d = await createRollback(ctx, req.params.id, actorOf(req.principal), req.body?.hostId ?? null);
      ctx.wakeJobs();
      return reply.status(201).send(await detail(d.id));
    },
  );

  // A host's deployment history: its tasks, newest first.
  app.get(
    '/api/v1/hosts/:id/deployments',
    {
      config: { access: READ },
      schema: {
        tags: ['deployments'],
        params: IdParams,
        querystring: Type.Object(Paging(50, 500)),
        response: { 200: HostDeploymentHistory },
      },
    },
    async (req) => {
      const r = await tasksForHost(ctx.db, req.params.id, {
        limit: req.query.limit ?? 50,
        offset: req.query.offset ?? 0,
      });
      return {
        total: r.total,
        items: r.items.map((t) => ({
          deploymentId: t.deploymentId,
          deploymentStatus: t.deploymentStatus,
          kind: t.deploymentKind,
          policy: t.policy,
          taskId: t.id,
          ring: t.ring,
          status: t.status,
          packages: t.packages.map((p) => ({ name: p.name, version: p.version })),
          error: t.errorCode === null ? null : { code: t.errorCode, message: t.errorMessage ?? '' },
          queuedAt: t.queuedAt.toISOString(),
          finishedAt: t.finishedAt?.toISOString() ?? null,
        })),
      };
    },
  );

  // The agent side.
  app.post(
    '/api/v1/agent/jobs/poll',
    {
      // Routine: every idle agent asks once per long poll; only problems are logged.
      logLevel: 'warn',
      config: { access: 'agent' },
      schema: { tags: ['agent'], body: JobPoll, response: { 200: JobPollResponse } },
    },
    async (req, reply) => {
      const p = req.principal;
      if (p?.kind !== 'agent') throw new Error('unreachable: access rule lets only agents in');
      const host = await getHost(ctx.db, p.hostId);
      if (host?.retired) throw hostRetired(host);
      if (host?.machineId !== req.body.machineId) {
        throw new ApiError(
          403,
          'PL_AGENT_HOST_MISMATCH',
          `machine ${req.body.machineId} is not this credential's host`,
        );
      }
      const jobsNow = async () => {
        const now = ctx.now();
        const jobs: Static<typeof AgentJob>[] = [];
        for (const t of await pendingTasksForHost(ctx.db, p.hostId)) {
          const d = await getDeployment(ctx.db, t.deploymentId);
          // Never hand out a job past its deadline (the orchestrator times it out).
          if (d && t.deadline.getTime() > now.getTime()) jobs.push(signedJobOf(d, t));
        }
        // In signing order: the agent refuses a sequence number below one it accepted.
        return jobs.sort((a, b) => (a.signature?.seq ?? 0) - (b.signature?.seq ?? 0));
      };
      // A real long poll: parked until a job is dispatched to this host, the time is up, the
      // agent hangs up (the response closes before it was sent) or the server shuts down.
      const gone = new AbortController();
      const onClose = () => {
        if (!reply.raw.writableFinished) gone.abort();
      };
      reply.raw.once('close', onClose);
      try {
        const until = Date.now() + req.body.waitSeconds * 1000;
        let jobs = await jobsNow();
        while (jobs.length === 0) {
          const outcome = await ctx.agentJobs.wait(p.hostId, until - Date.now(), gone.signal);
          if (outcome !== 'woken') break;
          jobs = await jobsNow();
        }
        return { jobs };
      } finally {
        reply.raw.off('close', onClose);
      }
    },
  );

  app.post(
    '/api/v1/agent/jobs/:id/report',
    {
      config: { access: 'agent' },
      schema: {
        tags: ['agent'],
        params: Type.Object({ id: Type.String({ pattern: '^[A-Za-z0-9_-]{8,64}$' }) }),
        body: JobReport,
        response: { 200: JobReportResponse },
      },
    },
    async (req) => {
      const p = req.principal;
      if (p?.kind !== 'agent') throw new Error('unreachable: access rule lets only agents in');
      return reportJob(ctx, p.hostId, req.params.id, req.body);
    },
  );
}
