/** Tokens, users, the audit log and the enrollment secret (sign-in: routes/session.ts). */
import {
  AuditList,
  AuditQuery,
  Enrollment,
  PasswordReset,
  PasswordResetDone,
  TokenCreate,
  TokenCreated,
  TokenInfo,
  TokenList,
  UserCreate,
  UserInfo,
  UserList,
  UserParams,
  UserPatch,
} from '@patchloop/contracts';
import {
  appendAudit,
  getToken,
  insertToken,
  insertUser,
  listAudit,
  listTokens,
  listUsers,
  revokeToken,
  type TokenRecord,
  type UserRecord,
} from '@patchloop/store';
import { Type } from 'typebox';
import { rotateEnrollSecret } from '../auth/bootstrap.js';
import { actorOf, ADMIN, READ, seesMachineIds, sessionUser } from '../auth/principal.js';
import { hashPassword, hashToken, newToken, publicIdOf } from '../auth/secrets.js';
import type { Api } from '../api.js';
import { ApiError } from '../errors.js';
import { sendCsv, type CsvColumns } from '../services/csv.js';
import { changeUser, resetPassword } from '../services/users.js';
import {
  agentArtifacts,
  agentPackages,
  configuredServerUrl,
  installCommand,
  remoteAgentNotes,
  SECRET_PLACEHOLDER,
} from '../services/agent-install.js';

const DAY = 86_400_000;

const json = (v: unknown) => (v === null || v === undefined ? '' : JSON.stringify(v));
const AUDIT_CSV: CsvColumns<{
  seq: number;
  at: string;
  actor: string;
  action: string;
  target: string;
  before: unknown;
  after: unknown;
  hash: string;
}> = {
  seq: (e) => e.seq,
  at: (e) => e.at,
  actor: (e) => e.actor,
  action: (e) => e.action,
  target: (e) => e.target,
  before: (e) => json(e.before),
  after: (e) => json(e.after),
  hash: (e) => e.hash,
};
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

const userInfo = (u: UserRecord) => ({
  id: u.id,
  username: u.username,
  role: u.role,
  createdAt: u.createdAt.toISOString(),
  disabledAt: iso(u.disabledAt),
});

export function adminRoutes({ app, ctx }: Api): void {
  app.get(
    '/api/v1/tokens',
    { config: { access: ADMIN }, schema: { tags: ['auth'], response: { 200: TokenList } } },
    async () => ({
      items: (await listTokens(ctx.db)).map(tokenInfo),
    }),
  );

  app.post(
    '/api/v1/tokens',
    {
      config: { access: ADMIN },
      schema: { tags: ['auth'], body: TokenCreate, response: { 201: TokenCreated } },
    },
    async (req, reply) => {
      const b = req.body;
      // "session:<user>" names a user's console session, which acts as that user (sessionUser).
      if (/^\s*session:/i.test(b.name)) {
        throw new ApiError(
          400,
          'PL_REQUEST_INVALID',
          'name may not start with "session:": that prefix names the sessions of signed-in users',
        );
      }
      const token = newToken('plt');
      const now = ctx.now();
      const t = await ctx.db.transaction(async (tx) => {
        const created = await insertToken(tx, {
          publicId: publicIdOf(token),
          secretHash: await hashToken(token),
          name: b.name,
          role: b.role,
          createdBy: actorOf(req.principal),
          now,
          expiresAt: b.expiresInDays ? new Date(now.getTime() + b.expiresInDays * DAY) : null,
        });
        await appendAudit(tx, {
          actor: actorOf(req.principal),
          action: 'token.create',
          target: `token:${created.id}`,
          after: { name: created.name, role: created.role, expiresAt: iso(created.expiresAt) },
          at: now,
        });
        return created;
      });
      return reply.status(201).send({ ...tokenInfo(t), token });
    },
  );

  app.delete(
    '/api/v1/tokens/:id',
    {
      config: { access: ADMIN },
      schema: {
        tags: ['auth'],
        params: Type.Object({ id: Type.Integer({ minimum: 1 }) }),
        response: { 200: TokenInfo },
      },
    },
    async (req) => {
      const now = ctx.now();
      const t = await ctx.db.transaction(async (tx) => {
        const before = await getToken(tx, req.params.id);
        if (!before) throw new ApiError(404, 'PL_NOT_FOUND', `no token ${req.params.id}`);
        const after = await revokeToken(tx, before.id, now);
        await appendAudit(tx, {
          actor: actorOf(req.principal),
          action: 'token.revoke',
          target: `token:${before.id}`,
          before: { name: before.name, revokedAt: iso(before.revokedAt) },
          after: { revokedAt: iso(after?.revokedAt ?? null) },
          at: now,
        });
        return after as TokenRecord;
      });
      ctx.credentials.clear();
      return tokenInfo(t);
    },
  );

  app.get(
    '/api/v1/users',
    { config: { access: ADMIN }, schema: { tags: ['auth'], response: { 200: UserList } } },
    async () => ({
      items: (await listUsers(ctx.db)).map(userInfo),
    }),
  );

  app.post(
    '/api/v1/users',
    { config: { access: ADMIN }, schema: { tags: ['auth'], body: UserCreate, response: { 201: UserInfo } } },
    async (req, reply) => {
      const now = ctx.now();
      const passwordHash = await hashPassword(req.body.password);
      const u = await ctx.db.transaction(async (tx) => {
        const created = await insertUser(tx, {
          username: req.body.username,
          passwordHash,
          role: req.body.role,
          now,
        });
        if (!created) throw new ApiError(409, 'PL_CONFLICT', `user ${req.body.username} exists`);
        await appendAudit(tx, {
          actor: actorOf(req.principal),
          action: 'user.create',
          target: `user:${created.username}`,
          after: { role: created.role },
          at: now,
        });
        return created;
      });
      return reply.status(201).send(userInfo(u));
    },
  );

  app.get(
    '/api/v1/audit',
    {
      config: { access: READ },
      schema: { tags: ['audit'], querystring: AuditQuery, response: { 200: AuditList } },
    },
    async (req, reply) => {
      const q = req.query;
      // Enrollment and deletion events name the machine id: auditors see it hidden.
      const seen = (v: unknown) => (seesMachineIds(req.principal) ? v : hideMachineIds(v));
      const page = async (offset: number, limit: number) => {
        const r = await listAudit(ctx.db, {
          limit,
          offset,
          ...(q.target ? { target: q.target } : {}),
          ...(q.action ? { action: q.action } : {}),
        });
        return {
          total: r.total,
          items: r.items.map((e) => ({
            seq: e.seq,
            at: e.at.toISOString(),
            actor: e.actor,
            action: e.action,
            target: e.target,
            before: seen(e.before),
            after: seen(e.after),
            hash: e.hash,
          })),
        };
      };
      if (q.format === 'csv') return sendCsv(reply, 'audit', AUDIT_CSV, page);
      return page(q.offset ?? 0, q.limit ?? 100);
    },
  );

  /**
   * The enrollment commands, with the secret only right after it was rotated (it is stored
   * hashed); the server's URL only from PATCHLOOP_PUBLIC_URL, never a request's Host header.
   */
  const enrollment = (secret: string | null) => {
    const server = configuredServerUrl(ctx.config);
    const ready = agentArtifacts(ctx.config.downloadsDir).length > 0;
    const shown = secret ?? SECRET_PLACEHOLDER;
    return {
      secret,
      secretNote:
        secret !== null
          ? 'Shown once: only its hash is kept. Copy it now; rotate again to get another.'
          : ctx.config.enrollSecret !== undefined
            ? 'The enrollment secret is set by PATCHLOOP_ENROLL_SECRET on the server: use that value.'
            : 'The enrollment secret is kept only hashed, so it cannot be shown again: use the one printed when it was generated, or rotate it to get a new one (shown once).',
      command: `PATCHLOOP_ENROLL_SECRET=${shown} patchloop agent --server ${server}`,
      install: {
        server,
        command: installCommand(server, shown),
        ready,
        files: agentPackages(ctx.config.downloadsDir),
        notes: remoteAgentNotes(ctx.config, server, ready),
      },
    };
  };

  app.get(
    '/api/v1/settings/enrollment',
    { config: { access: ADMIN }, schema: { tags: ['agent'], response: { 200: Enrollment } } },
    async () => enrollment(null),
  );

  // A new enrollment secret, shown once in the answer: the old one stops working for new
  // enrollments; enrolled agents are unaffected.
  app.post(
    '/api/v1/settings/enrollment/rotate',
    { config: { access: ADMIN }, schema: { tags: ['agent'], response: { 200: Enrollment } } },
    async (req) => enrollment(await rotateEnrollSecret(ctx, actorOf(req.principal))),
  );

  app.patch(
    '/api/v1/users/:username',
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
    '/api/v1/users/:username/password',
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

/** An audit record's before/after with every `machineId` value hidden. */
function hideMachineIds(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(hideMachineIds);
  if (v === null || typeof v !== 'object') return v;
  return Object.fromEntries(
    Object.entries(v).map(([k, x]) => [k, k === 'machineId' && x !== null ? '(hidden)' : hideMachineIds(x)]),
  );
}
