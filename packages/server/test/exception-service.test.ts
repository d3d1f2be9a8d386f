/**
 * The exceptions service called directly, without HTTP, on the real store:
 * its creation rules, its state machine (requested → approved / rejected →
 * revoked), the four-eyes rule, and the audit event each decision writes.
 */
import { listAudit } from '@patchloop/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decideException, exceptionById, requestException } from '../src/services/exceptions.js';
import { BACKEND_NAMES, startHarness, type Harness } from './harness.js';

const request = {
  kind: 'accepted-risk' as const,
  package: 'openssl',
  justification: 'compensating control: the service is not exposed',
  expiresAt: '2030-02-01T00:00:00Z',
};

describe.each(BACKEND_NAMES)('exceptions service on %s', (backend) => {
  let h: Harness;
  let clock = Date.parse('2030-01-01T00:00:00Z');

  beforeAll(async () => {
    h = await startHarness(backend, { now: () => new Date(clock) });
  });
  afterAll(() => h.close());

  const decide = (
    id: number,
    action: 'approve' | 'reject' | 'revoke',
    actor: string,
    note: string | null = null,
  ) => decideException(h.ctx, { id, action, actor, note });

  it('refuses a request without a scope, or expiring in the past or past 366 days', async () => {
    const { package: _scope, ...unscoped } = request;
    await expect(requestException(h.ctx, unscoped, 'user:alice')).rejects.toMatchObject({
      code: 'PL_REQUEST_INVALID',
      message: 'an exception needs a scope: advisory, package, hostId or group',
    });
    await expect(
      requestException(h.ctx, { ...request, expiresAt: '2029-12-31T00:00:00Z' }, 'user:alice'),
    ).rejects.toMatchObject({ code: 'PL_REQUEST_INVALID', message: 'expiresAt must be in the future' });
    await expect(
      requestException(h.ctx, { ...request, expiresAt: '2031-01-03T00:00:00Z' }, 'user:alice'),
    ).rejects.toMatchObject({ code: 'PL_REQUEST_INVALID', message: /at most 366 days/ });
    await expect(requestException(h.ctx, { ...request, hostId: 999999 }, 'user:alice')).rejects.toMatchObject(
      {
        code: 'PL_REQUEST_INVALID',
        message: 'no host 999999',
      },
    );
  });

  it('moves requested → approved → revoked, one audited decision at a time', async () => {
    const e = await requestException(h.ctx, request, 'user:alice');
    expect([e.status, e.requestedBy, e.decidedBy]).toEqual(['requested', 'user:alice', null]);
    const approved = await decide(e.id, 'approve', 'user:bob', 'reviewed');
    expect([approved.status, approved.decidedBy, approved.decisionNote]).toEqual([
      'approved',
      'user:bob',
      'reviewed',
    ]);
    // An approved exception can be revoked, not approved or rejected again.
    await expect(decide(e.id, 'reject', 'user:bob')).rejects.toMatchObject({
      code: 'PL_CONFLICT',
      message: `exception ${e.id} is approved: it cannot be rejected now`,
    });
    await expect(decide(e.id, 'approve', 'user:carol')).rejects.toMatchObject({ code: 'PL_CONFLICT' });
    const revoked = await decide(e.id, 'revoke', 'user:carol');
    expect([revoked.status, revoked.decidedBy]).toEqual(['revoked', 'user:carol']);
    // Revoked is final.
    await expect(decide(e.id, 'revoke', 'user:carol')).rejects.toMatchObject({ code: 'PL_CONFLICT' });
    expect((await exceptionById(h.ctx, e.id)).status).toBe('revoked');

    const events = await listAudit(h.db, { target: `exception:${e.id}`, limit: 10, offset: 0 });
    const oldestFirst = [...events.items].sort((a, b) => a.seq - b.seq);
    expect(oldestFirst.map((a) => [a.action, a.actor, a.before, a.after])).toEqual([
      ['exception.request', 'user:alice', null, expect.objectContaining({ id: e.id, status: 'requested' })],
      ['exception.approve', 'user:bob', { status: 'requested' }, { status: 'approved', note: 'reviewed' }],
      ['exception.revoke', 'user:carol', { status: 'approved' }, { status: 'revoked', note: null }],
    ]);
  });

  it('lets nobody approve their own request, and nothing decide an exception that does not exist', async () => {
    const e = await requestException(h.ctx, request, 'user:alice');
    await expect(decide(e.id, 'approve', 'user:alice')).rejects.toMatchObject({
      code: 'PL_EXCEPTION_SELF_APPROVAL',
    });
    // The requester may still withdraw it (reject or revoke is not an approval).
    expect((await decide(e.id, 'reject', 'user:alice')).status).toBe('rejected');
    await expect(decide(999999, 'approve', 'user:bob')).rejects.toMatchObject({
      code: 'PL_NOT_FOUND',
      message: 'no exception 999999',
    });
    await expect(exceptionById(h.ctx, 999999)).rejects.toMatchObject({ code: 'PL_NOT_FOUND' });
  });

  it('refuses to approve an exception that expired while it waited', async () => {
    const e = await requestException(h.ctx, { ...request, expiresAt: '2030-01-02T00:00:00Z' }, 'user:alice');
    clock += 2 * 86_400_000;
    await expect(decide(e.id, 'approve', 'user:bob')).rejects.toMatchObject({
      code: 'PL_CONFLICT',
      message: `exception ${e.id} expired before it was approved`,
    });
    expect((await exceptionById(h.ctx, e.id)).status).toBe('requested');
  });
});
