/** Risk exceptions: request with a scope, justification and expiry; another person decides. */
import { Type, type Static } from 'typebox';
import { DateTime, ListFormat, Nullable, Page, Paging, Tag } from './common.js';

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
export const ExceptionList = Page(ExceptionInfo);
export const ExceptionQuery = Type.Object({
  ...Paging(100),
  format: ListFormat,
  status: Type.Optional(Type.Enum(['requested', 'approved', 'rejected', 'revoked', 'expired'] as const)),
  hostId: Type.Optional(Type.Integer({ minimum: 1 })),
});
