/**
 * Exceptions, as use cases apart from HTTP: request one (its creation rules),
 * decide on it (the state machine: approve, reject, revoke; nobody approves
 * their own request), read them with the findings they cover. Every change is
 * audited in the transaction that makes it.
 */
import type { ExceptionCreate, ExceptionInfo } from '@patchloop/contracts';
import {
  appendAudit,
  decideException as storeDecision,
  exceptionCoverage,
  getException,
  getHost,
  insertException,
  listExceptions,
  type ExceptionRecord,
  type ExceptionStatus,
} from '@patchloop/store';
import type { Static } from 'typebox';
import { PatchloopError } from '@patchloop/core';
import { samePerson } from '../auth/person.js';
import type { ServerContext } from '../context.js';

/** How long an exception may last before it must be renewed. */
export const MAX_EXCEPTION_DAYS = 366;

export type ExceptionView = Static<typeof ExceptionInfo>;
export type ExceptionDecisionAction = 'approve' | 'reject' | 'revoke';

/** Which decisions each status allows, and the status each leads to. */
export const TRANSITIONS: Record<ExceptionDecisionAction, { from: ExceptionStatus[]; to: ExceptionStatus }> =
  {
    approve: { from: ['requested'], to: 'approved' },
    reject: { from: ['requested'], to: 'rejected' },
    revoke: { from: ['requested', 'approved'], to: 'revoked' },
  };

function view(e: ExceptionRecord, findings: number): ExceptionView {
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

/** Exceptions as the API shows them, each with the number of open findings it covers. */
async function withCoverage(ctx: ServerContext, items: readonly ExceptionRecord[]): Promise<ExceptionView[]> {
  const n = await exceptionCoverage(
    ctx.db,
    items.map((e) => e.id),
  );
  return items.map((e) => view(e, n.get(e.id) ?? 0));
}

export async function exceptionPage(
  ctx: ServerContext,
  f: { status?: string | undefined; hostId?: number | undefined; limit: number; offset: number },
): Promise<{ items: ExceptionView[]; total: number }> {
  const r = await listExceptions(ctx.db, f);
  return { items: await withCoverage(ctx, r.items), total: r.total };
}

export async function exceptionById(ctx: ServerContext, id: number): Promise<ExceptionView> {
  const e = await getException(ctx.db, id);
  if (!e) throw new PatchloopError('PL_NOT_FOUND', `no exception ${id}`);
  return (await withCoverage(ctx, [e]))[0] as ExceptionView;
}

/** A new exception, requested: it needs a scope and an expiry within MAX_EXCEPTION_DAYS. */
export async function requestException(
  ctx: ServerContext,
  b: Static<typeof ExceptionCreate>,
  actor: string,
): Promise<ExceptionView> {
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
  if (expiresAt.getTime() > now.getTime() + MAX_EXCEPTION_DAYS * 86_400_000) {
    throw new PatchloopError(
      'PL_REQUEST_INVALID',
      `an exception may last at most ${MAX_EXCEPTION_DAYS} days; renew it when it expires`,
    );
  }
  if (b.hostId !== undefined && !(await getHost(ctx.db, b.hostId))) {
    throw new PatchloopError('PL_REQUEST_INVALID', `no host ${b.hostId}`);
  }
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
  return (await withCoverage(ctx, [e]))[0] as ExceptionView;
}

/**
 * A decision on an exception, by `actor`: allowed only from the statuses TRANSITIONS names;
 * an approval must come from another person than the requester, before the exception expires.
 */
export async function decideException(
  ctx: ServerContext,
  d: { id: number; action: ExceptionDecisionAction; actor: string; note: string | null },
): Promise<ExceptionView> {
  const { action, actor, note } = d;
  const now = ctx.now();
  const t = TRANSITIONS[action];
  const e = await ctx.db.transaction(async (tx) => {
    const before = await getException(tx, d.id, true);
    if (!before) throw new PatchloopError('PL_NOT_FOUND', `no exception ${d.id}`);
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
    const after = await storeDecision(tx, before.id, { status: t.to, by: actor, note, now });
    await appendAudit(tx, {
      actor,
      action: `exception.${action}`,
      target: `exception:${before.id}`,
      before: { status: before.status },
      after: { status: t.to, note },
      at: now,
    });
    return after as ExceptionRecord;
  });
  return (await withCoverage(ctx, [e]))[0] as ExceptionView;
}
