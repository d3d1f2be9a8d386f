/**
 * Signed jobs: what the server signs for an agent and the checks the agent
 * makes before it runs anything (pure; the Ed25519 primitive is passed in).
 *
 * The signed bytes are the canonical JSON (sorted keys, no spaces) of the job
 * the agent will execute together with the envelope: the host it is for, a
 * per-host monotonic sequence number, when it was issued and when it expires,
 * and the signing key's id. The agent rebuilds those bytes from the job it
 * received, so a job whose content differs from what was signed (a row
 * changed in the database, another job's signature copied onto it) fails.
 * The checks answer the attacks TUF and Uptane describe: arbitrary jobs
 * (unsigned, other key), mix-and-match (content or host differs), freeze
 * (expired) and rollback / replay (sequence not above the last accepted).
 *
 * Key rotation: the old key signs a statement naming the new public key; an
 * agent moves its pin only along a chain of such statements starting at the
 * key it holds.
 */

/** The fields of a job the agent executes (contracts' AgentJob without its signature). */
export interface SignableJob {
  readonly id: string;
  readonly deploymentId: number;
  readonly kind: string;
  readonly packages: readonly { name: string; version: string; arch?: string | undefined }[];
  readonly preScript: string | null;
  readonly postScript: string | null;
  readonly reboot: string;
  readonly deadline: string;
  readonly timeoutSeconds: number;
}

/** What travels with a job besides its content: everything here is signed too, except `sig`. */
export interface JobEnvelope {
  readonly keyId: string;
  readonly hostId: number;
  readonly machineId: string;
  readonly seq: number;
  readonly issuedAt: string;
  readonly expiresAt: string;
  /** Ed25519 signature of `signedJobBytes`, base64url. */
  readonly sig: string;
}

/** A public key an agent pins: its id (a fingerprint) and the raw 32 bytes, base64url. */
export interface PinnedKey {
  readonly keyId: string;
  readonly publicKey: string;
}

/** The old key's statement that the new key takes over. */
export interface RotationStatement {
  readonly fromKeyId: string;
  readonly toKeyId: string;
  /** The new key's raw public key, base64url. */
  readonly publicKey: string;
  readonly issuedAt: string;
  /** Ed25519 signature by the old key of `rotationBytes`, base64url. */
  readonly sig: string;
}

/** Verifies an Ed25519 signature: `publicKey` and `sig` base64url, `message` UTF-8. */
export type VerifyFn = (publicKey: string, message: string, sig: string) => boolean;

/** JSON with object keys sorted at every level, no whitespace; undefined members left out. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v ?? null)).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

/** The job's executable content, exactly the fields the agent acts on. */
function jobContent(job: SignableJob): SignableJob {
  return {
    id: job.id,
    deploymentId: job.deploymentId,
    kind: job.kind,
    packages: job.packages.map((p) => ({ name: p.name, version: p.version, arch: p.arch })),
    preScript: job.preScript,
    postScript: job.postScript,
    reboot: job.reboot,
    deadline: job.deadline,
    timeoutSeconds: job.timeoutSeconds,
  };
}

/** The bytes the server signs and the agent verifies for one job. */
export function signedJobBytes(job: SignableJob, env: Omit<JobEnvelope, 'sig'>): string {
  return canonicalJson({
    purpose: 'patchloop.job.v1',
    job: jobContent(job),
    keyId: env.keyId,
    hostId: env.hostId,
    machineId: env.machineId,
    seq: env.seq,
    issuedAt: env.issuedAt,
    expiresAt: env.expiresAt,
  });
}

/** The bytes the old key signs to hand over to the new one. */
export function rotationBytes(s: Omit<RotationStatement, 'sig'>): string {
  return canonicalJson({
    purpose: 'patchloop.key-rotation.v1',
    fromKeyId: s.fromKeyId,
    toKeyId: s.toKeyId,
    publicKey: s.publicKey,
    issuedAt: s.issuedAt,
  });
}

/**
 * When a job signed at `issuedAt` expires: after `ttlMs`, or at the end of the
 * deployment's open window when that comes first.
 */
export function jobExpiry(issuedAt: Date, ttlMs: number, windowEnd: Date | null): Date {
  const ttlEnd = issuedAt.getTime() + ttlMs;
  return new Date(windowEnd === null ? ttlEnd : Math.min(ttlEnd, windowEnd.getTime()));
}

export type JobRefusalCode =
  | 'PL_JOB_UNSIGNED'
  | 'PL_JOB_SIGNING_KEY_UNKNOWN'
  | 'PL_JOB_SIGNATURE_INVALID'
  | 'PL_JOB_WRONG_HOST'
  | 'PL_JOB_EXPIRED'
  | 'PL_JOB_REPLAYED';

export interface JobRefusal {
  readonly code: JobRefusalCode;
  readonly message: string;
}

/** A verification that throws (a malformed key or signature) is a failed one. */
function safely(check: () => boolean): boolean {
  try {
    return check();
  } catch {
    return false;
  }
}

export interface AgentIdentity {
  readonly hostId: number;
  readonly machineId: string;
}

/**
 * The checks that need no memory of earlier jobs: signed, by the pinned key,
 * over exactly this content, for this host. Null when the job passes.
 */
export function checkJobSignature(
  job: SignableJob,
  env: JobEnvelope | null | undefined,
  pinned: PinnedKey | null,
  me: AgentIdentity,
  verify: VerifyFn,
): JobRefusal | null {
  if (env === null || env === undefined || typeof env !== 'object' || typeof env.sig !== 'string') {
    return { code: 'PL_JOB_UNSIGNED', message: `job ${job.id} carries no signature; refused` };
  }
  if (pinned === null) {
    return {
      code: 'PL_JOB_SIGNING_KEY_UNKNOWN',
      message: `job ${job.id}: this agent has no pinned server key (enrolled before job signing); re-enroll it to pin the key`,
    };
  }
  if (env.keyId !== pinned.keyId) {
    return {
      code: 'PL_JOB_SIGNING_KEY_UNKNOWN',
      message: `job ${job.id} is signed by key ${String(env.keyId)}, not the pinned server key ${pinned.keyId}; refused`,
    };
  }
  if (!safely(() => verify(pinned.publicKey, signedJobBytes(job, env), env.sig))) {
    return {
      code: 'PL_JOB_SIGNATURE_INVALID',
      message: `job ${job.id}: the signature does not match the job's content (changed after signing, or another job's signature); refused`,
    };
  }
  if (env.hostId !== me.hostId || env.machineId !== me.machineId) {
    return {
      code: 'PL_JOB_WRONG_HOST',
      message: `job ${job.id} was signed for host ${env.hostId}, not this host (${me.hostId}); refused`,
    };
  }
  return null;
}

/** The freshness checks: not expired (freeze) and a sequence above the last accepted (replay, rollback). */
export function checkJobFreshness(
  job: SignableJob,
  env: JobEnvelope,
  lastAcceptedSeq: number,
  now: Date,
): JobRefusal | null {
  const expires = Date.parse(env.expiresAt);
  if (!Number.isFinite(expires) || expires <= now.getTime()) {
    return {
      code: 'PL_JOB_EXPIRED',
      message: `job ${job.id}'s signature expired at ${env.expiresAt}; refused`,
    };
  }
  if (!Number.isSafeInteger(env.seq) || env.seq <= lastAcceptedSeq) {
    return {
      code: 'PL_JOB_REPLAYED',
      message: `job ${job.id} has sequence ${env.seq}, not above the last accepted (${lastAcceptedSeq}): a replayed or out-of-order job; refused`,
    };
  }
  return null;
}

/**
 * Follows rotation statements from the pinned key: each must be signed by the
 * key it leaves. Returns the key pinned at the end (the same one when no
 * statement starts at it); a statement that does not verify ends the walk.
 */
export function followRotations(
  pinned: PinnedKey,
  statements: readonly RotationStatement[],
  verify: VerifyFn,
  keyIdOf: (publicKey: string) => string,
): PinnedKey {
  let key = pinned;
  const seen = new Set<string>([key.keyId]);
  for (;;) {
    const s = statements.find((x) => x.fromKeyId === key.keyId);
    if (!s || seen.has(s.toKeyId) || keyIdOf(s.publicKey) !== s.toKeyId) return key;
    const from = key;
    if (!safely(() => verify(from.publicKey, rotationBytes(s), s.sig))) return key;
    key = { keyId: s.toKeyId, publicKey: s.publicKey };
    seen.add(key.keyId);
  }
}
