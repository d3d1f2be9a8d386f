/**
 * The agent's jobs: the server hands out install and rollback jobs (long
 * poll), the agent runs them through the package manager and reports each
 * step. A job id is delivered until its final report is acknowledged; the
 * agent keeps a journal so a duplicated delivery runs once and a job
 * interrupted by a crash is reported from a fresh inventory, never re-run.
 */
import { Type, type Static } from 'typebox';

const Name = Type.String({ minLength: 1, maxLength: 256, pattern: '^[A-Za-z0-9][A-Za-z0-9+._:~-]*$' });
const Version = Type.String({ minLength: 1, maxLength: 256, pattern: '^[A-Za-z0-9][A-Za-z0-9+._:~^-]*$' });

export const JobPackage = Type.Object(
  { name: Name, version: Version, arch: Type.Optional(Type.String({ maxLength: 64 })) },
  { additionalProperties: false },
);
export type JobPackage = Static<typeof JobPackage>;

const B64url = Type.String({ pattern: '^[A-Za-z0-9_-]{1,200}$' });
const KeyId = Type.String({ pattern: '^[0-9a-f]{32}$' });

/**
 * The server's Ed25519 public key as an agent pins it: `keyId` is the first 32 hex digits of the
 * SHA-256 of the raw 32-byte key, `publicKey` the raw key in base64url.
 */
export const JobSigningKey = Type.Object(
  { keyId: KeyId, publicKey: B64url },
  { additionalProperties: false },
);
export type JobSigningKey = Static<typeof JobSigningKey>;

/**
 * The signature of a job (core's JobEnvelope): the job's content, the host, a per-host sequence
 * number, issue and expiry instants and the key id are signed; the agent refuses a job that fails
 * any check (docs: "Job signing").
 */
export const JobSignature = Type.Object(
  {
    keyId: Type.String({ maxLength: 64 }),
    hostId: Type.Integer(),
    machineId: Type.String({ maxLength: 128 }),
    seq: Type.Integer({ minimum: 1 }),
    issuedAt: Type.String({ maxLength: 40 }),
    expiresAt: Type.String({ maxLength: 40 }),
    sig: B64url,
  },
  { additionalProperties: false },
);
export type JobSignature = Static<typeof JobSignature>;

/** The old key's statement handing over to a new one (core's RotationStatement). */
export const KeyRotationStatement = Type.Object(
  {
    fromKeyId: KeyId,
    toKeyId: KeyId,
    publicKey: B64url,
    issuedAt: Type.String({ maxLength: 40 }),
    sig: B64url,
  },
  { additionalProperties: false },
);
export type KeyRotationStatement = Static<typeof KeyRotationStatement>;

export const AgentJob = Type.Object({
  /** The deployment task's id: the unit of exactly-once. */
  id: Type.String({ pattern: '^[A-Za-z0-9_-]{8,64}$' }),
  deploymentId: Type.Integer(),
  kind: Type.Enum(['install', 'rollback'] as const),
  /** Exact versions to install (rollback: the versions before the deployment; downgrades allowed). */
  packages: Type.Array(JobPackage, { minItems: 1, maxItems: 1000 }),
  /** Shell scripts from the policy, run with `sh -c` on the host (inside its root): a failing pre-check skips the install, a failing post-check fails the task. */
  preScript: Type.Union([Type.String({ maxLength: 16_384 }), Type.Null()]),
  postScript: Type.Union([Type.String({ maxLength: 16_384 }), Type.Null()]),
  reboot: Type.Enum(['never', 'if-required', 'always'] as const),
  /** Do not start after this instant (ISO 8601): report `timed-out` instead. */
  deadline: Type.String(),
  /** Kill the package manager after this long. */
  timeoutSeconds: Type.Integer({ minimum: 10, maximum: 86_400 }),
  /** The server's signature (always sent; optional in the schema so an agent can report a job without one). */
  signature: Type.Optional(JobSignature),
});
export type AgentJob = Static<typeof AgentJob>;

export const JobPoll = Type.Object(
  {
    machineId: Type.String({ pattern: '^[A-Za-z0-9_.:-]{8,128}$' }),
    /** How long the server may hold the request waiting for a job (long poll). */
    waitSeconds: Type.Integer({ minimum: 0, maximum: 60 }),
  },
  { additionalProperties: false },
);
export type JobPoll = Static<typeof JobPoll>;

export const JobPollResponse = Type.Object({ jobs: Type.Array(AgentJob) });
export type JobPollResponse = Static<typeof JobPollResponse>;

export const JOB_STATES = [
  'pre-check',
  'installing',
  'verifying',
  'succeeded',
  'failed',
  'timed-out',
] as const;
export type JobState = (typeof JOB_STATES)[number];

export const InstalledVersion = Type.Object(
  {
    name: Name,
    version: Type.Union([Version, Type.Null()]),
    arch: Type.Optional(Type.String({ maxLength: 64 })),
  },
  { additionalProperties: false },
);
export type InstalledVersion = Static<typeof InstalledVersion>;

export const JobReport = Type.Object(
  {
    machineId: Type.String({ pattern: '^[A-Za-z0-9_.:-]{8,128}$' }),
    state: Type.Enum(JOB_STATES),
    /** Output since the last report (the server appends it to the task's log; capped). */
    log: Type.String({ maxLength: 262_144 }),
    /** Versions of the job's packages before and after (null = not installed), from the package database. */
    before: Type.Optional(Type.Array(InstalledVersion, { maxItems: 1000 })),
    after: Type.Optional(Type.Array(InstalledVersion, { maxItems: 1000 })),
    reboot: Type.Optional(
      Type.Object(
        {
          required: Type.Boolean(),
          performed: Type.Boolean(),
          /** Why a required or requested reboot did not happen (a root without its own kernel, policy never…). */
          reason: Type.Union([Type.String({ maxLength: 512 }), Type.Null()]),
        },
        { additionalProperties: false },
      ),
    ),
    error: Type.Optional(
      Type.Object(
        { code: Type.String({ maxLength: 64 }), message: Type.String({ maxLength: 4096 }) },
        { additionalProperties: false },
      ),
    ),
    /** True when this report comes from the journal after a restart (the job was interrupted). */
    recovered: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
export type JobReport = Static<typeof JobReport>;

export const JobReportResponse = Type.Object({
  /** The task's status on the server after this report. */
  status: Type.String(),
  /** The deployment was halted or cancelled: stop before the next step if not yet installing. */
  cancel: Type.Boolean(),
});
export type JobReportResponse = Static<typeof JobReportResponse>;

/** GET /api/v1/job-signing: the key jobs are signed with, the next key held, the rotations so far. */
export const JobSigningStatus = Type.Object({
  /** The key new jobs are signed with. */
  signingKey: JobSigningKey,
  /** The next key this server holds for a rotation, if any. */
  nextKey: Type.Union([JobSigningKey, Type.Null()]),
  /** Every rotation statement, oldest first (kept for agents that were offline during one). */
  rotations: Type.Array(KeyRotationStatement),
});
export type JobSigningStatus = Static<typeof JobSigningStatus>;

/** POST /api/v1/job-signing/rotate: the statement the old key signed, and how many pending jobs were signed again. */
export const JobSigningRotateResponse = Type.Object({
  statement: KeyRotationStatement,
  resigned: Type.Integer(),
});
export type JobSigningRotateResponse = Static<typeof JobSigningRotateResponse>;
