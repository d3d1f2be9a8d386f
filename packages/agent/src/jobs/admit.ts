/**
 * The agent's gate in front of every job (docs: README "Job signing"): a job
 * runs only when it is signed by the pinned server key over exactly its
 * content, for this host, not expired, with a sequence number above the last
 * accepted. Everything else is refused with a PL_ code, reported to the server
 * as a failed task, and nothing of it runs. A job already in the journal
 * (delivered again until its final report is acknowledged) passes the
 * signature checks and then goes to the journal, which never runs it twice.
 */
import { createHash, createPublicKey, verify } from 'node:crypto';
import type { AgentJob } from '@patchloop/contracts';
import {
  checkJobFreshness,
  checkJobSignature,
  type AgentIdentity,
  type JobRefusal,
  type PinnedKey,
} from '@patchloop/core';
import type { StateDir } from '../state/state-dir.js';
import type { Journal } from './journal.js';

export const keyIdOf = (publicKey: string): string =>
  createHash('sha256').update(Buffer.from(publicKey, 'base64url')).digest('hex').slice(0, 32);

/** Ed25519 (node:crypto) over the UTF-8 message; key and signature base64url. */
export function verifyEd25519(publicKey: string, message: string, sig: string): boolean {
  const key = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: publicKey }, format: 'jwk' });
  return verify(null, Buffer.from(message, 'utf8'), key, Buffer.from(sig, 'base64url'));
}

export interface AdmitContext {
  readonly state: StateDir;
  readonly journal: Journal;
  readonly me: AgentIdentity;
  readonly now: Date;
}

function inJournal(journal: Journal, id: string): boolean {
  try {
    return journal.has(id);
  } catch {
    return false;
  }
}

/**
 * Null when the job may go on to the runner (its sequence number is then recorded as accepted,
 * before anything runs); otherwise why it is refused.
 */
export function admitJob(job: AgentJob, ctx: AdmitContext): JobRefusal | null {
  const pinned: PinnedKey | null = ctx.state.serverKey();
  const env = job.signature;
  const bad = checkJobSignature(job, env, pinned, ctx.me, verifyEd25519);
  if (bad !== null || env === undefined) return bad ?? { code: 'PL_JOB_UNSIGNED', message: 'unsigned' };
  // Delivered again after it was accepted: the journal answers (never a second run).
  if (inJournal(ctx.journal, job.id)) return null;
  const stale = checkJobFreshness(job, env, ctx.state.lastJobSeq(), ctx.now);
  if (stale !== null) return stale;
  ctx.state.saveLastJobSeq(env.seq);
  return null;
}
