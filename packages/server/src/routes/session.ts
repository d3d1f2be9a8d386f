/**
 * Sessions (mounted at /api/v1): one sign-in — a user's name and password
 * give a session token for 12 hours (services/sessions.ts signIn) — handed over
 * two ways, so that both URLs stay as they are:
 *
 * - POST /session: for the console, as an HttpOnly, SameSite=Strict cookie
 *   plus a CSRF token in the body; GET /session says who is signed in,
 *   DELETE /session signs out (the session token is revoked), PUT
 *   /session/password changes the signed-in user's password.
 * - POST /sessions: for scripts and the CLI, the token in the body, sent
 *   afterwards as a bearer token.
 */
import { ConsoleSession, PasswordChange, SessionCreate, SessionCreated } from '@patchloop/contracts';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type, type Static, type TSchema } from 'typebox';
import { PatchloopError } from '@patchloop/core';
import { actorOf, READ, sessionUser } from '../auth/principal.js';
import type { Api } from '../api.js';
import { csrfTokenFor, SESSION_COOKIE, SESSION_HOURS, signIn } from '../services/sessions.js';
import { endSession } from '../services/sign-out.js';
import { changeOwnPassword } from '../services/users.js';

function secure(req: FastifyRequest, publicUrl: string | undefined): boolean {
  return req.protocol === 'https' || (publicUrl?.startsWith('https:') ?? false);
}

function clear(reply: FastifyReply, isSecure: boolean): void {
  reply.clearCookie(SESSION_COOKIE, { path: '/', httpOnly: true, sameSite: 'strict', secure: isSecure });
}

const signInSchema = <R extends TSchema>(response: R) => ({
  config: { access: 'public' as const },
  schema: { tags: ['auth'], security: [], body: SessionCreate, response: { 201: response } },
});

export function sessionRoutes({ app, ctx }: Api): void {
  const signInAs = (req: { body: Static<typeof SessionCreate>; ip: string }, kind: 'console' | 'api') =>
    signIn(ctx, req.body.username, req.body.password, kind, req.ip);

  // Sign in for a script: the token in the body.
  app.post('/sessions', signInSchema(SessionCreated), async (req, reply) => {
    const s = await signInAs(req, 'api');
    return reply.status(201).send({ token: s.token, role: s.role, expiresAt: s.expiresAt.toISOString() });
  });

  // Sign in for the console: the token in a cookie, with a CSRF token in the body.
  app.post('/session', signInSchema(ConsoleSession), async (req, reply) => {
    const s = await signInAs(req, 'console');
    reply.setCookie(SESSION_COOKIE, s.token, {
      path: '/',
      httpOnly: true,
      sameSite: 'strict',
      secure: secure(req, ctx.config.publicUrl),
      maxAge: SESSION_HOURS * 3600,
    });
    return reply.status(201).send({
      username: s.username,
      role: s.role,
      expiresAt: s.expiresAt.toISOString(),
      csrfToken: csrfTokenFor(s.token),
    });
  });

  app.get(
    '/session',
    { config: { access: READ }, schema: { tags: ['auth'], response: { 200: ConsoleSession } } },
    async (req) => {
      const p = req.principal;
      if (p?.kind !== 'token') throw new PatchloopError('PL_AUTH_REQUIRED', 'no session');
      const username = p.name.startsWith('session:') ? p.name.slice('session:'.length) : `token:${p.name}`;
      return {
        username,
        role: p.role,
        expiresAt: null,
        csrfToken: req.cookieSession ? csrfTokenFor(req.cookieSession) : null,
      };
    },
  );

  app.delete(
    '/session',
    { config: { access: READ }, schema: { tags: ['auth'], response: { 204: Type.Null() } } },
    async (req, reply) => {
      const p = req.principal;
      // Only a console session signs out here; an API token is revoked with DELETE /api/v1/tokens/:id.
      if (p?.kind === 'token' && req.cookieSession !== null) await endSession(ctx, p.tokenId, actorOf(p));
      clear(reply, secure(req, ctx.config.publicUrl));
      return reply.status(204).send(null);
    },
  );

  // A signed-in user changes its own password (the current one is needed); its other sessions end.
  app.put(
    '/session/password',
    {
      config: { access: READ },
      schema: { tags: ['auth'], body: PasswordChange, response: { 204: Type.Null() } },
    },
    async (req, reply) => {
      const p = req.principal;
      const username = sessionUser(p);
      if (username === null || p?.kind !== 'token') {
        throw new PatchloopError(
          'PL_NOT_FOUND',
          'this credential is an API token, not a signed-in user: it has no password to change',
        );
      }
      await changeOwnPassword(ctx, {
        username,
        current: req.body.currentPassword,
        next: req.body.newPassword,
        keepSession: p.tokenId,
        address: req.ip,
      });
      return reply.status(204).send(null);
    },
  );
}
