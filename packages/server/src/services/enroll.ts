/**
 * Enrollment: an agent presents the shared secret and its machine id and
 * gets its own credential.
 *
 * The shared secret only creates new hosts. A machine id that is already
 * enrolled is a host with an identity, findings and jobs: whoever knows the
 * shared secret and that id must not take it over. Re-enrolling it needs
 * proof — the host's current agent credential (an agent that still has it:
 * another server URL, rewritten state), or a one-time enrollment token an
 * admin issued for that host (an agent that lost it). Then the host keeps its
 * identity (history, inventory) and its earlier credential is revoked.
 * Without proof the host and its credential stay as they are, the attempt is
 * audited and the agent is told how to proceed (PL_ENROLL_HOST_EXISTS).
 */
import type { EnrollRequest, EnrollResponse, HostEnrollTokenCreated } from '@patchloop/contracts';
import {
  addHostTags,
  appendAudit,
  findAgentCredential,
  findHostEnrollToken,
  getHost,
  getHostByMachineId,
  insertHost,
  insertHostEnrollToken,
  replaceAgentCredential,
  useHostEnrollToken,
  type HostRecord,
  type Queryable,
  lockEnrollMachine,
} from '@patchloop/store';
import { httpStatusOf, PatchloopError } from '@patchloop/core';
import { enrollSecretMatches } from '../auth/bootstrap.js';
import { hashCredential, newToken, publicIdOf, verifyHash } from '../auth/secrets.js';
import type { ServerContext } from '../context.js';
import { hostRetired } from './host-lifecycle.js';

const HOUR = 3_600_000;

/** How a re-enrollment proved it speaks for the host. */
type Proof = 'credential' | 'host-token';

function hostExists(host: HostRecord, why: string): PatchloopError {
  return new PatchloopError(
    'PL_ENROLL_HOST_EXISTS',
    `machine id already enrolled as host ${host.id} (${host.hostname}); ${why}. The shared enrollment secret only creates new hosts: to re-enroll this one, an admin issues a one-time enrollment token for it (console: Hosts → ${host.hostname} → Enrollment token, or POST /api/v1/hosts/${host.id}/enroll-token) and the agent is started with --host-token (or PATCHLOOP_HOST_TOKEN)`,
  );
}

const tokenInvalid = () =>
  new PatchloopError(
    'PL_ENROLL_TOKEN_INVALID',
    'the enrollment token is unknown, already used, expired, or was issued for another host: ask an admin for a new one',
  );

/** Checks the proof a re-enrollment of `host` carries; throws when there is none or it is wrong. */
async function proveHost(tx: Queryable, host: HostRecord, req: EnrollRequest, now: Date): Promise<Proof> {
  if (req.hostToken !== undefined) {
    const t = await findHostEnrollToken(tx, publicIdOf(req.hostToken));
    const valid =
      t !== null &&
      t.hostId === host.id &&
      t.usedAt === null &&
      t.expiresAt.getTime() > now.getTime() &&
      (await verifyHash(req.hostToken, t.secretHash));
    if (!valid || !(await useHostEnrollToken(tx, t.id, now))) throw tokenInvalid();
    return 'host-token';
  }
  if (req.credential !== undefined) {
    const c = await findAgentCredential(tx, publicIdOf(req.credential));
    const valid =
      c !== null &&
      c.hostId === host.id &&
      c.revokedAt === null &&
      (await verifyHash(req.credential, c.secretHash));
    if (valid) return 'credential';
    throw hostExists(host, "the agent credential given is not this host's current one");
  }
  throw hostExists(host, 'no proof was given that this agent is that host');
}

export async function enroll(
  ctx: ServerContext,
  req: EnrollRequest,
): Promise<Omit<EnrollResponse, 'jobSigningKey'>> {
  if (!(await enrollSecretMatches(ctx, req.secret))) {
    throw new PatchloopError('PL_ENROLL_SECRET_INVALID', 'the enrollment secret is wrong');
  }
  const credential = newToken('pla');
  const secretHash = hashCredential(credential);
  const now = ctx.now();
  let refused: HostRecord | null = null;
  try {
    const result = await ctx.db.transaction(async (tx) => {
      await lockEnrollMachine(tx, req.machineId);
      let host = await getHostByMachineId(tx, req.machineId);
      if (host?.retired) throw hostRetired(host);
      let proof: Proof | null = null;
      if (host === null) {
        host = await insertHost(tx, {
          machineId: req.machineId,
          hostname: req.hostname,
          transport: req.transport ?? 'agent',
          tags: req.tags,
          now,
        });
      } else {
        refused = host;
        proof = await proveHost(tx, host, req, now);
        refused = null;
        await addHostTags(tx, host.id, req.tags);
      }
      await replaceAgentCredential(tx, {
        hostId: host.id,
        publicId: publicIdOf(credential),
        secretHash,
        now,
      });
      const after = await getHost(tx, host.id);
      await appendAudit(tx, {
        actor: `agent:${host.id}`,
        action: proof ? 'host.re-enroll' : 'host.enroll',
        target: `host:${host.id}`,
        before: proof ? { hostname: host.hostname, tags: host.tags } : null,
        after: {
          hostname: req.hostname,
          machineId: req.machineId,
          tags: after?.tags ?? req.tags,
          transport: req.transport ?? 'agent',
          ...(proof ? { proof } : {}),
        },
        at: now,
      });
      return { hostId: host.id, inventoryHash: host.inventoryHash };
    });
    // The host's earlier credential may be cached as valid: forget it (only this host's).
    ctx.credentials.forget((p) => p.kind === 'agent' && p.hostId === result.hostId);
    return { hostId: result.hostId, credential, inventoryHash: result.inventoryHash };
  } catch (e) {
    const host = refused as HostRecord | null;
    // A refusal (4xx), not a fault of the server (a database that went away).
    if (host !== null && e instanceof PatchloopError && httpStatusOf(e.code) < 500) {
      // Nothing changed; the attempt is kept for the admins (who else has the shared secret?).
      await appendAudit(ctx.db, {
        actor: 'anonymous',
        action: 'host.re-enroll-refused',
        target: `host:${host.id}`,
        after: { hostname: req.hostname, machineId: req.machineId, code: e.code },
        at: now,
      });
    }
    throw e;
  }
}

/** An admin issues a one-time enrollment token for a host (its earlier unused ones stop working). */
export async function issueHostEnrollToken(
  ctx: ServerContext,
  p: { hostId: number; actor: string; expiresInHours: number },
): Promise<HostEnrollTokenCreated> {
  const token = newToken('plh');
  const now = ctx.now();
  const expiresAt = new Date(now.getTime() + p.expiresInHours * HOUR);
  await ctx.db.transaction(async (tx) => {
    const host = await getHost(tx, p.hostId);
    if (!host) throw new PatchloopError('PL_NOT_FOUND', `no host ${p.hostId}`);
    if (host.retired) throw hostRetired(host);
    const { replaced } = await insertHostEnrollToken(tx, {
      hostId: host.id,
      publicId: publicIdOf(token),
      secretHash: hashCredential(token),
      createdBy: p.actor,
      now,
      expiresAt,
    });
    await appendAudit(tx, {
      actor: p.actor,
      action: 'host.enroll-token',
      target: `host:${host.id}`,
      after: { expiresAt: expiresAt.toISOString(), replaced },
      at: now,
    });
  });
  return { hostId: p.hostId, token, expiresAt: expiresAt.toISOString() };
}
