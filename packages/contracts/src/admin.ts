/** Administration: API tokens, users and the audit log. */
import { Type } from 'typebox';
import { Role } from './api.js';
import { DateTime, ListFormat, Nullable, Page, Paging } from './common.js';

export const TokenCreate = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 128 }),
    role: Role,
    expiresInDays: Type.Optional(Type.Integer({ minimum: 1, maximum: 3650 })),
  },
  { additionalProperties: false },
);
export const TokenInfo = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  role: Type.String(),
  createdBy: Type.String(),
  createdAt: DateTime,
  expiresAt: Nullable(DateTime),
  lastUsedAt: Nullable(DateTime),
  revokedAt: Nullable(DateTime),
});
export const TokenCreated = Type.Object({ ...TokenInfo.properties, token: Type.String() });
export const TokenList = Type.Object({ items: Type.Array(TokenInfo) });

export const UserCreate = Type.Object(
  {
    username: Type.String({ pattern: '^[a-z][a-z0-9_.-]{1,63}$' }),
    password: Type.String({ minLength: 12, maxLength: 1024 }),
    role: Role,
  },
  { additionalProperties: false },
);
export const UserInfo = Type.Object({
  id: Type.Integer(),
  username: Type.String(),
  role: Type.String(),
  createdAt: DateTime,
  disabledAt: Nullable(DateTime),
});
export const UserList = Type.Object({ items: Type.Array(UserInfo) });
export const UserParams = Type.Object({ username: Type.String({ minLength: 1, maxLength: 64 }) });
/** PATCH /api/v1/users/:username: a new role, and/or disabled (true) or enabled (false). */
export const UserPatch = Type.Object(
  { role: Type.Optional(Role), disabled: Type.Optional(Type.Boolean()) },
  { additionalProperties: false, minProperties: 1 },
);
/** An admin's reset: the new password, or none to have one generated (returned once). */
export const PasswordReset = Type.Object(
  { password: Type.Optional(Type.String({ minLength: 12, maxLength: 1024 })) },
  { additionalProperties: false },
);
export const PasswordResetDone = Type.Object({
  username: Type.String(),
  /** The generated password, shown once; null when the request chose it. */
  password: Nullable(Type.String()),
});
/** Changing one's own password (a signed-in user). */
export const PasswordChange = Type.Object(
  {
    currentPassword: Type.String({ minLength: 1, maxLength: 1024 }),
    newPassword: Type.String({ minLength: 12, maxLength: 1024 }),
  },
  { additionalProperties: false },
);

export const AuditEvent = Type.Object({
  seq: Type.Integer(),
  at: DateTime,
  actor: Type.String(),
  action: Type.String(),
  target: Type.String(),
  before: Type.Unknown(),
  after: Type.Unknown(),
  hash: Type.String(),
});
export const AuditList = Page(AuditEvent);
/**
 * Exact filters. Targets are `<kind>:<id>`: `host:<id>` is a host's trail
 * (host.enroll, host.re-enroll, host.import, host.reimport, host.edit —
 * PATCH /api/v1/hosts/:id and POST /api/v1/hosts/tags write one per host
 * changed). Related events name their own object: an exception, also one
 * scoped to a host, is `exception:<id>` (its hostId is in the event's
 * after); deployments and their tasks are `deployment:<id>` (task events
 * carry the task id, the agent actor is `agent:<host id>`). Others: `token:<id>`,
 * `user:<name>`, `policy:<name>`, `setting:<name>`, `feeds:mirror|online`.
 */
export const AuditQuery = Type.Object({
  ...Paging(100),
  format: ListFormat,
  target: Type.Optional(
    Type.String({
      maxLength: 256,
      description:
        "Exact target, `<kind>:<id>`. `host:<id>`: the host's own trail (host.enroll, host.re-enroll, host.import, host.reimport, host.edit from PATCH /api/v1/hosts/:id and POST /api/v1/hosts/tags). Exceptions, also those scoped to a host, are `exception:<id>`; deployments and their tasks `deployment:<id>` (task events: actor `agent:<host id>`, the task id in before/after). Also `token:<id>`, `user:<name>`, `policy:<name>`, `setting:<name>`, `feeds:mirror|online`.",
    }),
  ),
  action: Type.Optional(Type.String({ maxLength: 128, description: 'Exact action, `noun.verb`.' })),
});
