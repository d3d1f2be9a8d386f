/** Policies as code: a policy document, its versions and what it would do at an instant. */
import { Type, type Static } from 'typebox';
import { Nullable, Paging } from './common.js';

export const PolicyView = Type.Object({
  name: Type.String(),
  version: Type.Integer(),
  document: Type.Record(Type.String(), Type.Unknown()),
  source: Type.String(),
  updatedBy: Type.String(),
  updatedAt: Type.String(),
});
export const PolicyApplied = Type.Object({
  ...PolicyView.properties,
  changed: Type.Boolean(),
  /** Said when the policy governs no host it selects, because other policies take precedence for them. */
  warnings: Type.Array(Type.String()),
});
export const PolicyVersions = Type.Object({
  items: Type.Array(
    Type.Object({
      version: Type.Integer(),
      document: Type.Union([Type.Record(Type.String(), Type.Unknown()), Type.Null()]),
      createdBy: Type.String(),
      createdAt: Type.String(),
    }),
  ),
});
export type PolicyView = Static<typeof PolicyView>;
export type PolicyVersions = Static<typeof PolicyVersions>;
export const PolicyList = Type.Object({ items: Type.Array(PolicyView) });
export type PolicyList = Static<typeof PolicyList>;

/** How specifically a policy selects a host (core/src/policy/select.ts): by name, group, tag, or globally. */
const MatchLevel = Type.Enum(['host', 'group', 'tag', 'global'] as const);

const HostAction = Type.Enum(['deploy', 'wait-window', 'wait-ring', 'nothing', 'not-deployable'] as const);

/** `?at=` (default now) and the page of hosts of a simulation. */
export const SimulateQuery = Type.Object({
  at: Type.Optional(Type.String({ format: 'date-time' })),
  ...Paging(100),
});

/**
 * What a policy would do at an instant (GET /api/v1/policies/:name/simulate):
 * `hosts` is one page (`?limit=&offset=`, in hostname order) of the `total`
 * hosts it governs; `totals` counts them per action over all of them.
 */
export const Simulation = Type.Object({
  policy: Type.String(),
  at: Type.String(),
  total: Type.Integer(),
  totals: Type.Object({
    deploy: Type.Integer(),
    'wait-window': Type.Integer(),
    'wait-ring': Type.Integer(),
    nothing: Type.Integer(),
    'not-deployable': Type.Integer(),
  }),
  window: Type.Object({
    open: Type.Boolean(),
    start: Nullable(Type.String()),
    end: Nullable(Type.String()),
    next: Nullable(Type.String()),
  }),
  hosts: Type.Array(
    Type.Object({
      /** Hosts are addressed by id: two hosts may share a hostname. */
      hostId: Type.Integer(),
      hostname: Type.String(),
      ring: Type.String(),
      /** `not-deployable`: the host cannot run a deployment (notDeployable says why); never planned. */
      action: HostAction,
      notDeployable: Type.Optional(Type.String()),
      updates: Type.Array(
        Type.Object({
          package: Type.String(),
          sourcePackage: Type.String(),
          toVersion: Type.String(),
          advisories: Type.Array(Type.String()),
        }),
      ),
      held: Type.Array(
        Type.Object({
          package: Type.String(),
          advisory: Nullable(Type.String()),
          reason: Type.Enum([
            'deferred',
            'excluded',
            'pinned',
            'not-approved',
            'exception',
            'invalid-name',
          ] as const),
          detail: Type.String(),
        }),
      ),
    }),
  ),
  /** Hosts the policy selects that another policy governs, because it takes precedence there. */
  lost: Type.Array(
    Type.Object({
      hostname: Type.String(),
      to: Type.String(),
      level: MatchLevel,
      toLevel: MatchLevel,
    }),
  ),
});
