/** Signing in: an API session token (POST /api/v1/sessions) or the console's cookie session (/api/v1/session). */
import { Type, type Static } from 'typebox';
import { Role } from './api.js';

export const SessionCreate = Type.Object(
  {
    username: Type.String({ minLength: 1, maxLength: 64 }),
    password: Type.String({ minLength: 1, maxLength: 1024 }),
  },
  { additionalProperties: false },
);
export type SessionCreate = Static<typeof SessionCreate>;

export const SessionCreated = Type.Object({
  token: Type.String(),
  role: Type.String(),
  expiresAt: Type.String(),
});

/** The console's session; the session token itself stays in an HttpOnly cookie. */
export const ConsoleSession = Type.Object({
  username: Type.String(),
  role: Role,
  expiresAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  /** Send back in the x-csrf-token header with every request that changes state (null for bearer callers). */
  csrfToken: Type.Union([Type.String(), Type.Null()]),
});
export type ConsoleSession = Static<typeof ConsoleSession>;
