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
  putSetting,
  revokeToken,
  type Queryable,
} from '@patchloop/store';
import type { ServerContext } from '../context.js';
import { hashPassword, hashToken, newPassword, newToken, publicIdOf } from './secrets.js';

export interface BootstrapResult {
  /** Set when generated now: print it once. */
  readonly adminPassword: string | null;
  /** Set when generated now: print it once. */
  readonly adminToken: string | null;
  readonly enrollSecret: string;
}

const ENV_TOKEN_NAME = 'PATCHLOOP_ADMIN_TOKEN';

export async function bootstrap(ctx: ServerContext): Promise<BootstrapResult> {
  const { db, config } = ctx;
  const now = ctx.now();
  return db.transaction(async (tx) => {
    // One replica at a time bootstraps.
    await tx.query('SELECT pg_advisory_xact_lock(7305000002)');
    let adminPassword: string | null = null;
    if ((await countUsers(tx)) === 0) {
      const password = config.adminPassword ?? newPassword();
      if (config.adminPassword === undefined) adminPassword = password;
      await insertUser(tx, {
        username: 'admin',
        passwordHash: await hashPassword(password),
        role: 'admin',
        now,
      });
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
    return { adminPassword, adminToken, enrollSecret };
  });
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
