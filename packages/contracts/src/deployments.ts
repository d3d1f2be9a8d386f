/** Deployments: create, list, the live view with rings and per-host tasks, a host's history. */
import { Type, type Static } from 'typebox';
import { ListFormat, Page, Paging } from './common.js';

export const DeploymentPackage = Type.Object(
  {
    name: Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9+._:~-]*$', maxLength: 256 }),
    version: Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9+._:~^-]*$', maxLength: 256 }),
  },
  { additionalProperties: false },
);
export const DeploymentCreate = Type.Object(
  {
    policy: Type.Optional(Type.String({ pattern: '^[a-z0-9][a-z0-9-]{0,62}$' })),
    hosts: Type.Optional(Type.Array(Type.Integer({ minimum: 1 }), { minItems: 1, maxItems: 10_000 })),
    packages: Type.Optional(Type.Array(DeploymentPackage, { minItems: 1, maxItems: 1000 })),
    advisories: Type.Optional(Type.Array(Type.String({ maxLength: 128 }), { minItems: 1, maxItems: 1000 })),
    reboot: Type.Optional(Type.Enum(['never', 'if-required', 'always'] as const)),
    deadlineHours: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 24 * 90 })),
    timeoutSeconds: Type.Optional(Type.Integer({ minimum: 10, maximum: 86_400 })),
  },
  { additionalProperties: false },
);
export const DeploymentSummary = Type.Object({
  id: Type.Integer(),
  kind: Type.String(),
  status: Type.String(),
  policy: Type.Union([Type.String(), Type.Null()]),
  createdBy: Type.String(),
  createdAt: Type.String(),
  waiting: Type.Union([Type.String(), Type.Null()]),
});
export type DeploymentCreate = Static<typeof DeploymentCreate>;
export const DeploymentListQuery = Type.Object({
  ...Paging(50, 500),
  format: ListFormat,
  status: Type.Optional(Type.String({ maxLength: 32 })),
});
export const DeploymentList = Page(DeploymentSummary);
export type DeploymentList = Static<typeof DeploymentList>;

export const S = Type.String();
export const N = <T extends ReturnType<typeof Type.String>>(t: T) => Type.Union([t, Type.Null()]);
export const Versions = Type.Union([Type.Array(Type.Object({ name: S, version: N(S) })), Type.Null()]);

/** One host's task in a deployment, as the view's pages list it (its log: DeploymentTaskDetail). */
export const DeploymentTask = Type.Object({
  taskId: S,
  hostId: Type.Integer(),
  hostname: S,
  ring: S,
  status: S,
  packages: Type.Array(Type.Object({ name: S, version: S })),
  advisories: Type.Array(S),
  before: Versions,
  after: Versions,
  reboot: Type.Union([Type.Record(S, Type.Unknown()), Type.Null()]),
  error: Type.Union([Type.Object({ code: S, message: S }), Type.Null()]),
  queuedAt: S,
  dispatchedAt: N(S),
  startedAt: N(S),
  finishedAt: N(S),
  /** Advisories whose findings on this host were resolved after the task started. */
  closedFindings: Type.Array(S),
  rolledBackBy: N(S),
});
export type DeploymentTask = Static<typeof DeploymentTask>;

/** One task with its log (GET /api/v1/deployments/:id/tasks/:taskId). */
export const DeploymentTaskDetail = Type.Intersect([DeploymentTask, Type.Object({ log: S })]);
export type DeploymentTaskDetail = Static<typeof DeploymentTaskDetail>;

/**
 * GET /api/v1/deployments/:id: one page of its hosts' tasks by (ring, hostname), `hostsNext`
 * being the `after` of the next page; `status` keeps one task status.
 */
export const DeploymentViewQuery = Type.Object({
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 200 })),
  after: Type.Optional(Type.String({ maxLength: 2048 })),
  status: Type.Optional(Type.String({ maxLength: 32 })),
});
export type DeploymentViewQuery = Static<typeof DeploymentViewQuery>;

export const DeploymentView = Type.Object({
  id: Type.Integer(),
  kind: S,
  parentId: Type.Union([Type.Integer(), Type.Null()]),
  status: S,
  policy: N(S),
  policyVersion: Type.Union([Type.Integer(), Type.Null()]),
  reboot: S,
  waiting: N(S),
  createdBy: S,
  createdAt: S,
  startedAt: N(S),
  finishedAt: N(S),
  /** Hosts the deployment left out because they cannot run it (an imported host, no package manager). */
  notDeployable: Type.Array(Type.Object({ hostId: Type.Integer(), hostname: S, reason: S })),
  rings: Type.Array(
    Type.Object({
      name: S,
      status: S,
      total: Type.Integer(),
      succeeded: Type.Integer(),
      failed: Type.Integer(),
      inFlight: Type.Integer(),
      queued: Type.Integer(),
      successRate: Type.Union([Type.Number(), Type.Null()]),
      bakeUntil: N(S),
    }),
  ),
  /** One page of the tasks (all of them in the change record). */
  hosts: Type.Array(DeploymentTask),
  /** How many tasks match (the status asked, or all). */
  hostsTotal: Type.Integer(),
  /** The `after` of the next page; null on the last. */
  hostsNext: N(S),
  approvals: Type.Array(Type.Object({ at: S, actor: S, action: S })),
});
export type DeploymentView = Static<typeof DeploymentView>;

/** A host's deployment history (GET /api/v1/hosts/:id/deployments): its tasks, newest first. */
export const HostDeploymentHistory = Type.Object({
  items: Type.Array(
    Type.Object({
      deploymentId: Type.Integer(),
      deploymentStatus: Type.String(),
      kind: Type.String(),
      policy: Type.Union([Type.String(), Type.Null()]),
      taskId: Type.String(),
      ring: Type.String(),
      status: Type.String(),
      packages: Type.Array(Type.Object({ name: Type.String(), version: Type.String() })),
      error: Type.Union([Type.Object({ code: Type.String(), message: Type.String() }), Type.Null()]),
      queuedAt: Type.String(),
      finishedAt: Type.Union([Type.String(), Type.Null()]),
    }),
  ),
  total: Type.Integer(),
});
export type HostDeploymentHistory = Static<typeof HostDeploymentHistory>;
