/**
 * Console users (mounted at /api/v1/users; admins only): list, create, change
 * (role, disabled), reset a password. A user's own password: routes/session.ts.
 */
import {
  PasswordReset,
  PasswordResetDone,
  UserCreate,
  UserInfo,
  UserList,
  UserParams,
  UserPatch,
} from '@patchloop/contracts';
import { listUsers, type UserRecord } from '@patchloop/store';
import { actorOf, ADMIN, sessionUser } from '../auth/principal.js';
import type { Api } from '../api.js';
import { createUser } from '../services/user-create.js';
import { changeUser, resetPassword } from '../services/users.js';

const iso = (d: Date | null) => d?.toISOString() ?? null;

const userInfo = (u: UserRecord) => ({
  id: u.id,
  username: u.username,
  role: u.role,
  createdAt: u.createdAt.toISOString(),
  disabledAt: iso(u.disabledAt),
});

export function userRoutes({ app, ctx }: Api): void {
  app.get(
    '',
    { config: { access: ADMIN }, schema: { tags: ['auth'], response: { 200: UserList } } },
    async () => ({
      items: (await listUsers(ctx.db)).map(userInfo),
    }),
  );

  app.post(
    '',
    { config: { access: ADMIN }, schema: { tags: ['auth'], body: UserCreate, response: { 201: UserInfo } } },
    async (req, reply) =>
      reply.status(201).send(userInfo(await createUser(ctx, req.body, actorOf(req.principal)))),
  );

  app.patch(
    '/:username',
    {
      config: { access: ADMIN },
      schema: { tags: ['auth'], params: UserParams, body: UserPatch, response: { 200: UserInfo } },
    },
    async (req) =>
      userInfo(
        await changeUser(ctx, {
          username: req.params.username,
          change: req.body,
          actor: actorOf(req.principal),
          by: sessionUser(req.principal),
        }),
      ),
  );

  app.post(
    '/:username/password',
    {
      config: { access: ADMIN },
      schema: {
        tags: ['auth'],
        params: UserParams,
        body: PasswordReset,
        response: { 200: PasswordResetDone },
      },
    },
    async (req) => {
      const r = await resetPassword(ctx, {
        username: req.params.username,
        password: req.body.password,
        actor: actorOf(req.principal),
      });
      return { username: r.user.username, password: r.generated };
    },
  );
}
