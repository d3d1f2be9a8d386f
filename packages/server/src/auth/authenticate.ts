/**
 * Authentication and RBAC for every /api/v1 route: each route declares its
 * access (roles, agent, public) in its config; a route that declares nothing
 * is refused (fail closed). 401 without a valid credential, 403 for a wrong role.
 * A credential comes as a bearer token or, for the console, as the session
 * cookie — which changes state only with the session's CSRF token in a header.
 */
import { findAgentCredential, findToken, touchToken } from '@patchloop/store';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { PatchloopError } from '@patchloop/core';
import type { ServerContext } from '../context.js';
import { lowerRole, type Access, type Principal } from './principal.js';
import { CSRF_HEADER, csrfTokenMatches, SESSION_COOKIE } from '../services/sessions.js';
import { publicIdOf, verifyHash } from './secrets.js';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: Access;
  }
  interface FastifyRequest {
    principal: Principal | null;
    /** The session token when the caller was authenticated by the console's cookie. */
    cookieSession: string | null;
  }
}

function bearer(req: FastifyRequest): string | null {
  const h = req.headers.authorization;
  if (typeof h !== 'string') return null;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(h);
  return m ? (m[1] as string) : null;
}

function header(req: FastifyRequest, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

async function resolve(ctx: ServerContext, token: string): Promise<Principal | null> {
  const nowMs = ctx.now().getTime();
  const cached = ctx.credentials.get(token, nowMs);
  if (cached) return cached;
  const publicId = publicIdOf(token);
  let principal: Principal | null = null;
  let expiresMs: number | undefined;
  if (token.startsWith('pla_')) {
    const c = await findAgentCredential(ctx.db, publicId);
    if (c && c.revokedAt === null && (await verifyHash(token, c.secretHash))) {
      principal = { kind: 'agent', hostId: c.hostId };
    }
  } else {
    const t = await findToken(ctx.db, publicId);
    // A token acts for the user who created it: none works while that user is disabled.
    const live =
      t &&
      t.revokedAt === null &&
      (t.expiresAt === null || t.expiresAt.getTime() > nowMs) &&
      (t.owner === null || t.owner.disabledAt === null);
    if (t && live && (await verifyHash(token, t.secretHash))) {
      // Nor with more rights than its owner has now (a demoted user's admin token acts as the new role).
      const role = t.owner ? lowerRole(t.role, t.owner.role) : t.role;
      principal = { kind: 'token', tokenId: t.id, name: t.name, role };
      // Last use is recorded when the credential is verified (at most once a minute per token).
      await touchToken(ctx.db, t.id, ctx.now());
      // Never cached past its expiry.
      if (t.expiresAt !== null) expiresMs = t.expiresAt.getTime();
    }
  }
  if (principal) ctx.credentials.set(token, principal, nowMs, expiresMs);
  return principal;
}

export function registerAuth(app: FastifyInstance, ctx: ServerContext): void {
  app.decorateRequest('principal', null);
  app.decorateRequest('cookieSession', null);
  // onRequest: before the body is read or validated, so an anonymous caller
  // learns nothing from validation and cannot make the server parse large bodies.
  app.addHook('onRequest', async (req) => {
    // Decided by the route that matched, not by the raw URL (which may be
    // percent-encoded: "/%61pi/v1/…" routes to "/api/v1/…"). Unknown paths go to the 404 handler.
    if (req.is404 || !req.routeOptions.url?.startsWith('/api/v1/')) return;
    const access = req.routeOptions.config.access;
    if (access === undefined)
      throw new PatchloopError('PL_AUTH_FORBIDDEN', 'this route declares no access rule');
    if (access === 'public') {
      return;
    }
    let token = bearer(req);
    if (token === null && access !== 'agent') {
      const cookie = req.cookies[SESSION_COOKIE];
      if (cookie) {
        // A cookie is sent by the browser whoever made the page: state changes need the CSRF token too.
        if (!SAFE_METHODS.has(req.method) && !csrfTokenMatches(cookie, header(req, CSRF_HEADER))) {
          throw new PatchloopError('PL_AUTH_CSRF', `missing or wrong ${CSRF_HEADER} header for this session`);
        }
        token = cookie;
        req.cookieSession = cookie;
      }
    }
    if (token === null)
      throw new PatchloopError('PL_AUTH_REQUIRED', 'authentication required: send a bearer token');
    const principal = await resolve(ctx, token);
    if (principal === null) {
      throw new PatchloopError('PL_AUTH_REQUIRED', 'the credential is unknown, expired or revoked');
    }
    req.principal = principal;
    if (access === 'agent') {
      if (principal.kind !== 'agent') {
        throw new PatchloopError('PL_AUTH_FORBIDDEN', 'this route is for agents (use an agent credential)');
      }
      return;
    }
    if (principal.kind !== 'token' || !access.roles.includes(principal.role)) {
      const who = principal.kind === 'agent' ? 'an agent credential' : `role ${principal.role}`;
      throw new PatchloopError(
        'PL_AUTH_FORBIDDEN',
        `${who} may not do this (needs ${access.roles.join(' or ')})`,
      );
    }
  });
}
