/**
 * First start and every start: the bootstrap admin (user "admin" and an
 * admin API token) and the enrollment secret. Generated credentials are
 * returned once, for the caller to print; only their hashes are stored.
 * Later starts print none of them.
 */
import {
  appendAudit,
  countUsers,
  deleteSetting,
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
  lockBootstrap,
} from '@patchloop/store';
import { PatchloopError } from '@patchloop/core';
import type { ServerContext } from '../context.js';
import {
  hashCredential,
  hashPassword,
  hashToken,
  newPassword,
  newToken,
  publicIdOf,
  sameSecret,
  verifyHash,
} from './secrets.js';

export interface BootstrapResult {
  /** Set when generated now: print it once. */
  readonly adminPassword: string | null;
  /** Set when generated now: print it once. */
  readonly adminToken: string | null;
  /** Set when generated now: print it once (only its hash is stored). */
  readonly enrollSecret: string | null;
  /** What PATCHLOOP_ADMIN_PASSWORD did on a store that already had users (print it), else null. */
  readonly adminPasswordNote: string | null;
}

const ENV_TOKEN_NAME = 'PATCHLOOP_ADMIN_TOKEN';

export async function bootstrap(ctx: ServerContext): Promise<BootstrapResult> {
  const { db, config } = ctx;
  const now = ctx.now();
  return db.transaction(async (tx) => {
    // One replica at a time bootstraps.
    await lockBootstrap(tx);
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
    let enrollSecret: string | null = null;
    if (config.enrollSecret === undefined) {
      // Before 0.1 hashed it, the secret was kept as it is: hash it now and forget it.
      const plain = await getSetting<string>(tx, LEGACY_SECRET_SETTING);
      if (plain !== null) {
        await putSetting(tx, SECRET_HASH_SETTING, hashCredential(plain), now);
        await deleteSetting(tx, LEGACY_SECRET_SETTING);
      }
      if ((await getSetting<string>(tx, SECRET_HASH_SETTING)) === null) {
        enrollSecret = newEnrollSecret();
        await putSetting(tx, SECRET_HASH_SETTING, hashCredential(enrollSecret), now);
        await appendAudit(tx, {
          actor: 'system',
          action: 'enroll-secret.create',
          target: 'setting:enroll_secret',
          at: now,
        });
      }
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

/** The stored enrollment secret's hash (older stores kept the secret itself under enroll_secret). */
const SECRET_HASH_SETTING = 'enroll_secret_hash';
const LEGACY_SECRET_SETTING = 'enroll_secret';

/** 256 random bits: the SHA-256 it is stored as leaves nothing to guess from. */
const newEnrollSecret = () => newToken('plt').slice(4);

/**
 * Whether `presented` is the enrollment secret: PATCHLOOP_ENROLL_SECRET when set, else the
 * stored hash's secret; or this process's own secret (its in-process agent, `patchloop up`).
 */
export async function enrollSecretMatches(ctx: ServerContext, presented: string): Promise<boolean> {
  if (sameSecret(presented, ctx.localEnrollSecret)) return true;
  if (ctx.config.enrollSecret !== undefined) return sameSecret(presented, ctx.config.enrollSecret);
  const hash = await getSetting<string>(ctx.db, SECRET_HASH_SETTING);
  return hash !== null && (await verifyHash(presented, hash));
}

/**
 * A new enrollment secret: agents enrolling from now on need it; enrolled
 * agents keep their own credentials. Returned once: only its hash is stored,
 * so rotating is also how an admin sees a secret again. Not when
 * PATCHLOOP_ENROLL_SECRET sets it.
 */
export async function rotateEnrollSecret(ctx: ServerContext, actor: string): Promise<string> {
  if (ctx.config.enrollSecret !== undefined) {
    throw new PatchloopError(
      'PL_ENROLL_SECRET_FROM_ENV',
      'the enrollment secret is set by PATCHLOOP_ENROLL_SECRET: change the variable and restart the server',
    );
  }
  const secret = newEnrollSecret();
  const now = ctx.now();
  await ctx.db.transaction(async (tx) => {
    await putSetting(tx, SECRET_HASH_SETTING, hashCredential(secret), now);
    await deleteSetting(tx, LEGACY_SECRET_SETTING);
    await appendAudit(tx, {
      actor,
      action: 'enroll-secret.rotate',
      target: 'setting:enroll_secret',
      at: now,
    });
  });
  return secret;
}
