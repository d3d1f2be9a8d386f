/**
 * Deployments (mounted at /api/v1/deployments): start (from a policy, by
 * hand), follow (rings, a page of hosts, one task's log), steer (halt, resume, cancel, roll back),
 * export the change record. A host's history is under /hosts/:id/deployments
 * (routes/hosts/), the agent's side under /agent (routes/agent.ts).
 */
import {
  DeploymentCreate,
  DeploymentList,
  DeploymentListQuery,
  DeploymentTaskDetail,
  DeploymentView,
  DeploymentViewQuery,
} from '@patchloop/contracts';
import { listDeployments, type DeploymentRecord } from '@patchloop/store';
import { Type } from 'typebox';
import { actorOf, READ, WRITE } from '../auth/principal.js';
import type { Api } from '../api.js';
import { createRollback } from '../services/deployments.js';
import { startDeployment } from '../services/deployment-start.js';
import {
  changeRecordCsv,
  deploymentDetail,
  deploymentRecord,
  deploymentTask,
} from '../services/deployment-view.js';
import { steerDeployment } from '../services/deployment-steer.js';
import { sendCsv, type CsvColumns } from '../services/csv.js';

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

const tags = ['deployments'];

export function deploymentRoutes({ app, ctx }: Api): void {
  app.post(
    '',
    {
      config: { access: WRITE },
      schema: { tags, body: DeploymentCreate, response: { 201: DeploymentView } },
    },
    async (req, reply) => {
      const d = await startDeployment(ctx, req.body, actorOf(req.principal));
      return reply.status(201).send(await deploymentDetail(ctx, d.id));
    },
  );

  app.get(
    '',
    {
      config: { access: READ },
      schema: {
        tags,
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
    '/:id',
    {
      config: { access: READ },
      schema: { tags, params: IdParams, querystring: DeploymentViewQuery, response: { 200: DeploymentView } },
    },
    async (req) => deploymentDetail(ctx, req.params.id, req.query),
  );

  app.get(
    '/:id/tasks/:taskId',
    {
      config: { access: READ },
      schema: {
        tags,
        params: Type.Object({
          id: Type.Integer({ minimum: 1 }),
          taskId: Type.String({ pattern: '^[A-Za-z0-9_-]{1,64}$' }),
        }),
        response: { 200: DeploymentTaskDetail },
      },
    },
    async (req) => deploymentTask(ctx, req.params.id, req.params.taskId),
  );

  app.get(
    '/:id/record',
    {
      config: { access: READ },
      schema: {
        tags,
        params: IdParams,
        querystring: Type.Object({ format: Type.Optional(Type.Enum(['json', 'csv'] as const)) }),
      },
    },
    async (req, reply) => {
      const v = await deploymentRecord(ctx, req.params.id);
      if (req.query.format === 'csv') {
        return reply
          .type('text/csv; charset=utf-8')
          .header('content-disposition', `attachment; filename="deployment-${v.id}.csv"`)
          .send(changeRecordCsv(v));
      }
      return reply.header('content-disposition', `attachment; filename="deployment-${v.id}.json"`).send(v);
    },
  );

  for (const action of ['halt', 'resume', 'cancel'] as const) {
    app.post(
      `/:id/${action}`,
      { config: { access: WRITE }, schema: { tags, params: IdParams, response: { 200: DeploymentView } } },
      async (req) => {
        await steerDeployment(ctx, { id: req.params.id, action, actor: actorOf(req.principal) });
        return deploymentDetail(ctx, req.params.id);
      },
    );
  }

  app.post(
    '/:id/rollback',
    {
      config: { access: WRITE },
      schema: {
        tags,
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
      return reply.status(201).send(await deploymentDetail(ctx, d.id));
    },
  );
}
