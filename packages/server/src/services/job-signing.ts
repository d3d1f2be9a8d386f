/**
 * Job signing (docs: README "Job signing", docs/security.md "Signed jobs"): each
 * task is signed when it is dispatched — its content, host, per-host sequence
 * number and expiry — and the signature is stored with it and handed out
 * as it is, never made again from the row's current content, so a job
 * changed in the database fails the agent's check. Rotations: the old key
 * signs a statement naming the next key; agents follow the chain at check-in.
 */
import type {
  JobSigningKey,
  JobSigningRotateResponse,
  JobSigningStatus,
  KeyRotationStatement,
} from '@patchloop/contracts';
import {
  jobExpiry,
  PatchloopError,
  rotationBytes,
  signedJobBytes,
  windowState,
  type JobEnvelope,
  type RotationStatement,
  type Schedule,
} from '@patchloop/core';
import {
  appendAudit,
  getDeployment,
  getHost,
  getTask,
  handedOutTaskIdsSignedBy,
  insertKeyRotation,
  listKeyRotations,
  setTaskSignature,
  type DeploymentRecord,
  type Queryable,
} from '@patchloop/store';
import type { ServerContext } from '../context.js';
import { signMessage, verifyMessage, type SigningKey } from '../signing/keys.js';
import { jobOf, type JobTask } from './deployments.js';

const statementOf = (r: RotationStatement): KeyRotationStatement => ({
  fromKeyId: r.fromKeyId,
  toKeyId: r.toKeyId,
  publicKey: r.publicKey,
  issuedAt: r.issuedAt,
  sig: r.sig,
});

/**
 * The key new jobs are signed with: the key file's, followed along the rotation statements (each
 * checked with the key it leaves) to the last one this server holds the private key of.
 */
export async function activeSigningKey(ctx: ServerContext, q: Queryable = ctx.db): Promise<SigningKey> {
  const rotations = await listKeyRotations(q);
  let key = ctx.jobKeys.current();
  for (let i = 0; i <= rotations.length; i++) {
    const s = rotations.find((r) => r.fromKeyId === key.keyId);
    if (!s || !verifyMessage(key.publicKey, rotationBytes(s), s.sig)) return key;
    const held = ctx.jobKeys.byId(s.toKeyId);
    if (held === null) {
      throw new PatchloopError(
        'PL_JOB_SIGNING_KEY_MISSING',
        `job signing was rotated to key ${s.toKeyId}, which this server does not hold: give it that key file as PATCHLOOP_JOB_SIGNING_KEY_FILE (or _NEXT_KEY_FILE)`,
      );
    }
    key = held;
  }
  return key;
}

/** The public half agents pin at enrollment. */
export async function agentSigningKey(ctx: ServerContext): Promise<JobSigningKey> {
  const k = await activeSigningKey(ctx);
  return { keyId: k.keyId, publicKey: k.publicKey };
}

/** The rotation statements leading from `keyId` (an agent's pinned key) onward, in order. */
export async function rotationsFrom(ctx: ServerContext, keyId: string): Promise<KeyRotationStatement[]> {
  const all = await listKeyRotations(ctx.db);
  const chain: KeyRotationStatement[] = [];
  let at = keyId;
  for (;;) {
    const s = all.find((r) => r.fromKeyId === at);
    if (!s || chain.some((c) => c.fromKeyId === s.toKeyId)) return chain;
    chain.push(statementOf(s));
    at = s.toKeyId;
  }
}

function envelopeFor(
  key: SigningKey,
  d: DeploymentRecord,
  t: JobTask,
  head: Omit<JobEnvelope, 'sig' | 'keyId'>,
): JobEnvelope {
  const unsigned = { ...head, keyId: key.keyId };
  return { ...unsigned, sig: signMessage(key, signedJobBytes(jobOf(d, t), unsigned)) };
}

/**
 * The signature of a task being dispatched (inside the orchestrator's transaction): the host's
 * next sequence number `seq`, expiry after the TTL or at the window's end. Stored with the task.
 */
export function dispatchEnvelope(
  ctx: ServerContext,
  key: SigningKey,
  d: DeploymentRecord,
  t: JobTask & { readonly hostId: number },
  machineId: string,
  seq: number,
  now: Date,
): JobEnvelope {
  const windowEnd = windowState(d.schedule as Schedule | null, now).end;
  return envelopeFor(key, d, t, {
    hostId: t.hostId,
    machineId,
    seq,
    issuedAt: now.toISOString(),
    expiresAt: jobExpiry(now, ctx.config.jobSignatureTtlMs, windowEnd).toISOString(),
  });
}

export async function jobSigningStatus(ctx: ServerContext): Promise<JobSigningStatus> {
  const k = await activeSigningKey(ctx);
  const next = ctx.jobKeys.next();
  return {
    signingKey: { keyId: k.keyId, publicKey: k.publicKey },
    nextKey: next && next.keyId !== k.keyId ? { keyId: next.keyId, publicKey: next.publicKey } : null,
    rotations: (await listKeyRotations(ctx.db)).map(statementOf),
  };
}

/**
 * Rotates: the active key signs a statement naming the next key (made in the data directory on
 * the embedded store when there is none), which from now on signs jobs. Jobs handed out and not
 * finished whose signature by the old key still matches their content are signed again by the
 * new key (same sequence and expiry), so agents that have moved on can run them.
 */
export async function rotateJobKey(ctx: ServerContext, actor: string): Promise<JobSigningRotateResponse> {
  const now = ctx.now();
  const old = await activeSigningKey(ctx);
  let next = ctx.jobKeys.next();
  if (next === null || next.keyId === old.keyId) next = ctx.jobKeys.createNext();
  const unsigned = {
    fromKeyId: old.keyId,
    toKeyId: next.keyId,
    publicKey: next.publicKey,
    issuedAt: now.toISOString(),
  };
  const statement = { ...unsigned, sig: signMessage(old, rotationBytes(unsigned)) };
  const newKey = next;
  const resigned = await ctx.db.transaction(async (tx) => {
    if (!(await insertKeyRotation(tx, { ...statement, createdBy: actor }))) {
      throw new PatchloopError('PL_CONFLICT', `key ${old.keyId} was rotated already (by another request)`);
    }
    let n = 0;
    for (const id of await handedOutTaskIdsSignedBy(tx, old.keyId)) {
      const t = await getTask(tx, id, true);
      const d = t && (await getDeployment(tx, t.deploymentId));
      const env = t?.signature as JobEnvelope | null;
      if (!t || !d || !env) continue;
      const host = await getHost(tx, t.hostId);
      const intact =
        host !== null &&
        env.hostId === t.hostId &&
        env.machineId === host.machineId &&
        verifyMessage(old.publicKey, signedJobBytes(jobOf(d, t), env), env.sig);
      // A job whose content no longer matches its signature stays as it is: agents refuse it.
      if (!intact) continue;
      const { sig: _sig, keyId: _keyId, ...head } = env;
      await setTaskSignature(tx, t.id, envelopeFor(newKey, d, t, head));
      n++;
    }
    await appendAudit(tx, {
      actor,
      action: 'job-signing.rotate',
      target: `job-signing-key:${newKey.keyId}`,
      before: { keyId: old.keyId },
      after: { keyId: newKey.keyId, resigned: n },
      at: now,
    });
    return n;
  });
  ctx.jobKeys.promoteNext();
  return { statement, resigned };
}
