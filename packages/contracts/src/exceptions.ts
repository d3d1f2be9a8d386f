/** Risk exceptions: request with a scope, justification and expiry; another person decides. */
import { Type, type Static } from 'typebox';
import { DateTime, ListFormat, Nullable, Tag } from './common.js';

export const EXCEPTION_KINDS = ['accepted-risk', 'false-positive', 'compensating-control'] as const;

export const ExceptionCreate = Type.Object(
  {
    kind: Type.Enum(EXCEPTION_KINDS),
    /** Scope: any combination, at least one. `advisory` may be an advisory id or a CVE alias. */
    advisory: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
    package: Type.Optional(Type.String({ minLength: 1, maxLength: 256 })),
    hostId: Type.Optional(Type.Integer({ minimum: 1 })),
    group: Type.Optional(Tag),
    justification: Type.String({ minLength: 10, maxLength: 4000 }),
    expiresAt: DateTime,
  },
  { additionalProperties: false },
);
export type ExceptionCreate = Static<typeof ExceptionCreate>;

export const ExceptionDecision = Type.Object(
  { note: Type.Optional(Type.String({ maxLength: 2000 })) },
  { additionalProperties: false },
);

export const ExceptionInfo = Type.Object({
  id: Type.Integer(),
  kind: Type.String(),
  advisory: Nullable(Type.String()),
  package: Nullable(Type.String()),
  hostId: Nullable(Type.Integer()),
  group: Nullable(Type.String()),
  justification: Type.String(),
  status: Type.String(),
  requestedBy: Type.String(),
  requestedAt: DateTime,
  decidedBy: Nullable(Type.String()),
  decidedAt: Nullable(DateTime),
  decisionNote: Nullable(Type.String()),
  expiresAt: DateTime,
  /** Open findings its scope covers now. */
  findings: Type.Integer(),
});
export const ExceptionList = Type.Object({ items: Type.Array(ExceptionInfo), total: Type.Integer() });
export const ExceptionQuery = Type.Object({
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })),
  offset: Type.Optional(Type.Integer({ minimum: 0, default: 0 })),
  format: ListFormat,
  status: Type.Optional(Type.Enum(['requested', 'approved', 'rejected', 'revoked', 'expired'] as const)),
  hostId: Type.Optional(Type.Integer({ minimum: 1 })),
});
