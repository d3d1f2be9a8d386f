/**
 * Exceptions: requested with a justification and an expiry, approved or
 * rejected by someone other than the requester, revocable; every step audited.
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
import {
  appendAudit,
  decideException,
  exceptionCoverage,
  getException,
  getHost,
  insertException,
  listExceptions,
  type ExceptionRecord,
  type ExceptionStatus,
} from '@patchloop/store';
import { Type } from 'typebox';
import { PatchloopError } from '@patchloop/core';
import { actorOf, READ, WRITE } from '../auth/principal.js';
import { samePerson } from '../auth/person.js';
import type { Api } from '../api.js';
import { sendCsv, type CsvColumns } from '../services/csv.js';

const MAX_DAYS = 366;

const EXCEPTION_CSV: CsvColumns<ReturnType<typeof view>> = {
  id: (e) => e.id,
  status: (e) => e.status,
  kind: (e) => e.kind,
  advisory: (e) => e.advisory,
  package: (e) => e.package,
  host_id: (e) => e.hostId,
  group: (e) => e.group,
  findings: (e) => e.findings,
  justification: (e) => e.justification,
  requested_by: (e) => e.requestedBy,
  requested_at: (e) => e.requestedAt,
  decided_by: (e) => e.decidedBy,
  decided_at: (e) => e.decidedAt,
  decision_note: (e) => e.decisionNote,
  expires_at: (e) => e.expiresAt,
};
const IdParams = Type.Object({ id: Type.Integer({ minimum: 1 }) });

function view(e: ExceptionRecord, findings: number) {
  return {
    id: e.id,
    kind: e.kind,
    advisory: e.advisoryId,
    package: e.package,
    hostId: e.hostId,
    group: e.group,
    justification: e.justification,
    status: e.status,
    requestedBy: e.requestedBy,
    requestedAt: e.requestedAt.toISOString(),
    decidedBy: e.decidedBy,
    decidedAt: e.decidedAt?.toISOString() ?? null,
    decisionNote: e.decisionNote,
    expiresAt: e.expiresAt.toISOString(),
    findings,
  };
}

/** Which decisions each status allows, and who may make them. */
const TRANSITIONS: Record<'approve' | 'reject' | 'revoke', { from: ExceptionStatus[]; to: ExceptionStatus }> =
  {
    approve: { from: ['requested'], to: 'approved' },
    reject: { from: ['requested'], to: 'rejected' },
    revoke: { from: ['requested', 'approved'], to: 'revoked' },
  };

export function exceptionRoutes({ app, ctx }: Api): void {
  const withCoverage = async (items: ExceptionRecord[]) => {
    const n = await exceptionCoverage(
      ctx.db,
      items.map((e) => e.id),
    );
    return items.map((e) => view(e, n.get(e.id) ?? 0));
  };
  const one = async (e: ExceptionRecord) => view(e, (await exceptionCoverage(ctx.db, [e.id])).get(e.id) ?? 0);

  app.get(
    '/api/v1/exceptions',
    {
      config: { access: READ },
      schema: { tags: ['exceptions'], querystring: ExceptionQuery, response: { 200: ExceptionList } },
    },
    async (req, reply) => {
      const q = req.query;
      const page = async (offset: number, limit: number) => {
        const r = await listExceptions(ctx.db, { status: q.status, hostId: q.hostId, limit, offset });
        return { items: await withCoverage(r.items), total: r.total };
      };
      if (q.format === 'csv') return sendCsv(reply, 'exceptions', EXCEPTION_CSV, page);
      return page(q.offset ?? 0, q.limit ?? 100);
    },
  );

  app.get(
    '/api/v1/exceptions/:id',
    {
      config: { access: READ },
      schema: { tags: ['exceptions'], params: IdParams, response: { 200: ExceptionInfo } },
    },
    async (req) => {
      const e = await getException(ctx.db, req.params.id);
      if (!e) throw new PatchloopError('PL_NOT_FOUND', `no exception ${req.params.id}`);
      return one(e);
    },
  );

  app.post(
    '/api/v1/exceptions',
    {
      config: { access: WRITE },
      schema: { tags: ['exceptions'], body: ExceptionCreate, response: { 201: ExceptionInfo } },
    },
    async (req, reply) => {
      const b = req.body;
      const now = ctx.now();
      if (
        b.advisory === undefined &&
        b.package === undefined &&
        b.hostId === undefined &&
        b.group === undefined
      ) {
        throw new PatchloopError(
          'PL_REQUEST_INVALID',
          'an exception needs a scope: advisory, package, hostId or group',
        );
      }
      const expiresAt = new Date(b.expiresAt);
      if (expiresAt.getTime() <= now.getTime()) {
        throw new PatchloopError('PL_REQUEST_INVALID', 'expiresAt must be in the future');
      }
      if (expiresAt.getTime() > now.getTime() + MAX_DAYS * 86_400_000) {
        throw new PatchloopError(
          'PL_REQUEST_INVALID',
          `an exception may last at most ${MAX_DAYS} days; renew it when it expires`,
        );
      }
      if (b.hostId !== undefined && !(await getHost(ctx.db, b.hostId))) {
        throw new PatchloopError('PL_REQUEST_INVALID', `no host ${b.hostId}`);
      }
      const actor = actorOf(req.principal);
      const e = await ctx.db.transaction(async (tx) => {
        const created = await insertException(tx, {
          kind: b.kind,
          advisoryId: b.advisory ?? null,
          package: b.package ?? null,
          hostId: b.hostId ?? null,
          group: b.group ?? null,
          justification: b.justification,
          requestedBy: actor,
          expiresAt,
          now,
        });
        await appendAudit(tx, {
          actor,
          action: 'exception.request',
          target: `exception:${created.id}`,
          after: view(created, 0),
          at: now,
        });
        return created;
      });
      return reply.status(201).send(await one(e));
    },
  );

  for (const action of ['approve', 'reject', 'revoke'] as const) {
    app.post(
      `/api/v1/exceptions/:id/${action}`,
      {
        config: { access: WRITE },
        schema: {
          tags: ['exceptions'],
          params: IdParams,
          body: ExceptionDecision,
          response: { 200: ExceptionInfo },
        },
      },
      async (req) => {
        const actor = actorOf(req.principal);
        const now = ctx.now();
        const t = TRANSITIONS[action];
        const e = await ctx.db.transaction(async (tx) => {
          const before = await getException(tx, req.params.id, true);
          if (!before) throw new PatchloopError('PL_NOT_FOUND', `no exception ${req.params.id}`);
          if (!t.from.includes(before.status)) {
            throw new PatchloopError(
              'PL_CONFLICT',
              `exception ${before.id} is ${before.status}: it cannot be ${t.to} now`,
            );
          }
          if (action === 'approve' && (await samePerson(tx, before.requestedBy, actor))) {
            throw new PatchloopError(
              'PL_EXCEPTION_SELF_APPROVAL',
              'the requester of an exception cannot approve it (with another credential of theirs either): another person must',
            );
          }
          if (action === 'approve' && before.expiresAt.getTime() <= now.getTime()) {
            throw new PatchloopError('PL_CONFLICT', `exception ${before.id} expired before it was approved`);
          }
          const after = await decideException(tx, before.id, {
            status: t.to,
            by: actor,
            note: req.body.note ?? null,
            now,
          });
          await appendAudit(tx, {
            actor,
            action: `exception.${action}`,
            target: `exception:${before.id}`,
            before: { status: before.status },
            after: { status: t.to, note: req.body.note ?? null },
            at: now,
          });
          return after as ExceptionRecord;
        });
        return one(e);
      },
    );
  }
}
