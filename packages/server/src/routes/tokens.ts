/**
 * API tokens (mounted at /api/v1/tokens; admins only): list, issue (the secret
 * shown once), revoke (services/tokens.ts).
 */
import { TokenCreate, TokenCreated, TokenInfo, TokenList } from '@patchloop/contracts';
import { listTokens, type TokenRecord } from '@patchloop/store';
import { Type } from 'typebox';
import { actorOf, ADMIN } from '../auth/principal.js';
import type { Api } from '../api.js';
import { issueToken, revokeApiToken } from '../services/tokens.js';

const iso = (d: Date | null) => d?.toISOString() ?? null;

function tokenInfo(t: TokenRecord) {
  return {
    id: t.id,
    name: t.name,
    role: t.role,
    createdBy: t.createdBy,
    createdAt: t.createdAt.toISOString(),
    expiresAt: iso(t.expiresAt),
    lastUsedAt: iso(t.lastUsedAt),
    revokedAt: iso(t.revokedAt),
  };
}

export function tokenRoutes({ app, ctx }: Api): void {
  app.get(
    '',
    { config: { access: ADMIN }, schema: { tags: ['auth'], response: { 200: TokenList } } },
    async () => ({
      items: (await listTokens(ctx.db)).map(tokenInfo),
    }),
  );

  app.post(
    '',
    {
      config: { access: ADMIN },
      schema: { tags: ['auth'], body: TokenCreate, response: { 201: TokenCreated } },
    },
    async (req, reply) => {
      const { record, token } = await issueToken(ctx, req.body, actorOf(req.principal));
      return reply.status(201).send({ ...tokenInfo(record), token });
    },
  );

  app.delete(
    '/:id',
    {
      config: { access: ADMIN },
      schema: {
        tags: ['auth'],
        params: Type.Object({ id: Type.Integer({ minimum: 1 }) }),
        response: { 200: TokenInfo },
      },
    },
    async (req) => tokenInfo(await revokeApiToken(ctx, req.params.id, actorOf(req.principal))),
  );
}
