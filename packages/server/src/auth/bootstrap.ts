/**
 * First start and every start: the bootstrap admin (user "admin" and an
 * admin API token) and the enrollment secret. Generated credentials are
 * returned once, for the caller to print; only their hashes are stored.
 */
import {
  appendAudit,
  countUsers,
  findToken,
  getSetting,
  insertToken,
  insertUser,
  listTokens,
  lockUser,
  putSetting,
  revokeToken,
  revokeUserSessions,
  setUserPassword,
  type Queryable,
} from '@patchloop/store';
import type { ServerContext } from '../context.js';
import { ApiError } from '../errors.js';
import { hashPassword, hashToken, newPassword, newToken, publicIdOf, verifyHash } from './secrets.js';

export interface BootstrapResult {
  /** Set when generated now: print it once. */
  readonly adminPassword: string | null;
  /** Set when generated now: print it once. */
  readonly adminToken: string | null;
  readonly enrollSecret: string;
  /** What PATCHLOOP_ADMIN_PASSWORD did on a store that already had users (print it), else null. */
  readonly adminPasswordNote: string | null;
}

const ENV_TOKEN_NAME = 'PATCHLOOP_ADMIN_TOKEN';

export async function bootstrap(ctx: ServerContext): Promise<BootstrapResult> {
  const { db, config } = ctx;
  const now = ctx.now();
  return db.transaction(async (tx) => {
    // One replica at a time bootstraps.
    await tx.query('SELECT pg_advisory_xact_lock(7305000002)');
    let adminPassword: string | null = null;
    let adminPasswordNote: string | null = null;
    if ((await countUsers(tx)) > 0) {
      if (config.adminPassword !== undefined)
        adminPasswordNote = await applyEnvPassword(tx, config.adminPassword, now);
    } else {
      const password = config.adminPassword ?? newPassword();
      if (config.adminPassword === undefined) adminPassword = password;
      await insertUser(tx, {
        username: 'admin',
        passwordHash: await hashPassword(password),
        role: 'admin',
        now,
      });
      if (config.adminPassword !== undefined) {
        await putSetting(tx, ENV_PASSWORD_SETTING, await hashPassword(config.adminPassword), now);
      }
      await appendAudit(tx, {
        actor: 'system',
        action: 'user.create',
        target: 'user:admin',
        after: { role: 'admin' },
        at: now,
      });
    }
    let adminToken: string | null = null;
    const tokens = await listTokens(tx);
    if (config.adminToken !== undefined) {
      const publicId = publicIdOf(config.adminToken);
      if ((await findToken(tx, publicId)) === null) {
        for (const t of tokens.filter((x) => x.name === ENV_TOKEN_NAME && x.revokedAt === null)) {
          await revokeToken(tx, t.id, now);
          await appendAudit(tx, {
            actor: 'system',
            action: 'token.revoke',
            target: `token:${t.id}`,
            before: { name: t.name },
            at: now,
          });
        }
        await adminTokenFor(tx, config.adminToken, ENV_TOKEN_NAME, now);
      }
    } else if (tokens.length === 0) {
      adminToken = newToken('plt');
      await adminTokenFor(tx, adminToken, 'bootstrap-admin', now);
    }
    let enrollSecret = config.enrollSecret ?? (await getSetting<string>(tx, 'enroll_secret'));
    if (enrollSecret === null) {
      enrollSecret = newToken('plt').slice(4);
      await putSetting(tx, 'enroll_secret', enrollSecret, now);
      await appendAudit(tx, {
        actor: 'system',
        action: 'enroll-secret.create',
        target: 'setting:enroll_secret',
        at: now,
      });
    }
    return { adminPassword, adminToken, enrollSecret, adminPasswordNote };
  });
}

/** A hash of the PATCHLOOP_ADMIN_PASSWORD last applied, so a value is applied once, not at every start. */
const ENV_PASSWORD_SETTING = 'admin_password_env';

/**
 * PATCHLOOP_ADMIN_PASSWORD on a store that has users: a value not applied
 * before becomes user admin's password (audited, admin's sessions end); a
 * value applied before is not applied again, so a password changed since
 * (console, API, CLI) stays until the variable changes. Says what it did.
 */
async function applyEnvPassword(tx: Queryable, password: string, now: Date): Promise<string | null> {
  const admin = await lockUser(tx, 'admin');
  if (!admin) return 'PATCHLOOP_ADMIN_PASSWORD is ignored: this store has no user admin';
  const applied = await getSetting<string>(tx, ENV_PASSWORD_SETTING);
  const current = await verifyHash(password, admin.passwordHash);
  if (applied !== null && (await verifyHash(password, applied))) {
    return current
      ? null
      : `PATCHLOOP_ADMIN_PASSWORD is ignored: it was applied before and user admin's password has changed since (set a new value to reset it, or run patchloop users reset-password admin)`;
  }
  await putSetting(tx, ENV_PASSWORD_SETTING, await hashPassword(password), now);
  if (current) return null;
  await setUserPassword(tx, 'admin', await hashPassword(password));
  const revoked = await revokeUserSessions(tx, 'admin', now);
  await appendAudit(tx, {
    actor: 'system',
    action: 'user.password-reset',
    target: 'user:admin',
    after: { via: 'PATCHLOOP_ADMIN_PASSWORD', sessionsRevoked: revoked.length },
    at: now,
  });
  const disabled = admin.disabledAt ? ' (the user is disabled: another admin must enable it)' : '';
  return `user admin's password was reset to PATCHLOOP_ADMIN_PASSWORD (a new value; audited)${disabled}`;
}

/** Stores an admin API token (hashed) and audits it. */
async function adminTokenFor(tx: Queryable, token: string, name: string, now: Date): Promise<void> {
  const t = await insertToken(tx, {
    publicId: publicIdOf(token),
    secretHash: await hashToken(token),
    name,
    role: 'admin',
    createdBy: 'system',
    now,
    expiresAt: null,
  });
  await appendAudit(tx, {
    actor: 'system',
    action: 'token.create',
    target: `token:${t.id}`,
    after: { name: t.name, role: t.role },
    at: now,
  });
}

/** The enrollment secret agents must present: the configured one, else the stored one. */
export async function currentEnrollSecret(ctx: ServerContext): Promise<string | null> {
  return ctx.config.enrollSecret ?? (await getSetting<string>(ctx.db, 'enroll_secret'));
}

/**
 * A new enrollment secret: agents enrolling from now on need it; enrolled
 * agents keep their own credentials. Not when PATCHLOOP_ENROLL_SECRET sets it.
 */
export async function rotateEnrollSecret(ctx: ServerContext, actor: string): Promise<string> {
  if (ctx.config.enrollSecret !== undefined) {
    throw new ApiError(
      409,
      'PL_ENROLL_SECRET_FROM_ENV',
      'the enrollment secret is set by PATCHLOOP_ENROLL_SECRET: change the variable and restart the server',
    );
  }
  const secret = newToken('plt').slice(4);
  const now = ctx.now();
  await ctx.db.transaction(async (tx) => {
    await putSetting(tx, 'enroll_secret', secret, now);
    await appendAudit(tx, {
      actor,
      action: 'enroll-secret.rotate',
      target: 'setting:enroll_secret',
      at: now,
    });
  });
  return secret;
}
