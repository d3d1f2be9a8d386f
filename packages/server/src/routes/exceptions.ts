/**
 * Exceptions (mounted at /api/v1/exceptions): requested with a justification
 * and an expiry, approved or rejected by someone other than the requester,
 * revocable; every step audited (services/exceptions.ts).
 * Findings under an approved, unexpired exception stay visible but leave the
 * compliance figures; when it expires they count again.
 */
import {
  ExceptionCreate,
  ExceptionDecision,
  ExceptionInfo,
  ExceptionList,
  ExceptionQuery,
} from '@patchloop/contracts';
import { Type } from 'typebox';
import { actorOf, READ, WRITE } from '../auth/principal.js';
import type { Api } from '../api.js';
import { fieldColumns, sendCsv } from '../services/csv.js';
import {
  decideException,
  exceptionById,
  exceptionPage,
  requestException,
  type ExceptionView,
} from '../services/exceptions.js';

const EXCEPTION_CSV = fieldColumns<ExceptionView>([
  'id',
  'status',
  'kind',
  'advisory',
  'package',
  'hostId',
  'group',
  'findings',
  'justification',
  'requestedBy',
  'requestedAt',
  'decidedBy',
  'decidedAt',
  'decisionNote',
  'expiresAt',
]);
const IdParams = Type.Object({ id: Type.Integer({ minimum: 1 }) });
const tags = ['exceptions'];

export function exceptionRoutes({ app, ctx }: Api): void {
  app.get(
    '',
    {
      config: { access: READ },
      schema: { tags, querystring: ExceptionQuery, response: { 200: ExceptionList } },
    },
    async (req, reply) => {
      const q = req.query;
      const page = (offset: number, limit: number) =>
        exceptionPage(ctx, { status: q.status, hostId: q.hostId, limit, offset });
      if (q.format === 'csv') return sendCsv(reply, 'exceptions', EXCEPTION_CSV, page);
      return page(q.offset ?? 0, q.limit ?? 100);
    },
  );

  app.get(
    '/:id',
    { config: { access: READ }, schema: { tags, params: IdParams, response: { 200: ExceptionInfo } } },
    async (req) => exceptionById(ctx, req.params.id),
  );

  app.post(
    '',
    { config: { access: WRITE }, schema: { tags, body: ExceptionCreate, response: { 201: ExceptionInfo } } },
    async (req, reply) =>
      reply.status(201).send(await requestException(ctx, req.body, actorOf(req.principal))),
  );

  for (const action of ['approve', 'reject', 'revoke'] as const) {
    app.post(
      `/:id/${action}`,
      {
        config: { access: WRITE },
        schema: { tags, params: IdParams, body: ExceptionDecision, response: { 200: ExceptionInfo } },
      },
      async (req) =>
        decideException(ctx, {
          id: req.params.id,
          action,
          actor: actorOf(req.principal),
          note: req.body.note ?? null,
        }),
    );
  }
}
