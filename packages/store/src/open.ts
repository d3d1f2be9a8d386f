import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { isPatchloopError, PatchloopError, redactUrl, redactUrls } from '@patchloop/core';
import type { Db, DbConfig } from './db.js';
import { checkSchema, migrate } from './migrate.js';
import { openPglite } from './pglite-db.js';
import { openPostgres, type PostgresOptions } from './postgres-db.js';

export const DEFAULT_DATA_DIR = './patchloop-data';

/**
 * Where the store is: PATCHLOOP_DATABASE_URL (PostgreSQL) wins; otherwise
 * the embedded store in --data-dir, PATCHLOOP_DATA_DIR or ./patchloop-data.
 */
export function resolveDbConfig(
  env: Readonly<Record<string, string | undefined>>,
  flags: { dataDir?: string | undefined; databaseUrl?: string | undefined } = {},
): DbConfig {
  const url = flags.databaseUrl ?? env.PATCHLOOP_DATABASE_URL;
  if (url !== undefined && url !== '') {
    if (!/^postgres(ql)?:\/\//.test(url)) {
      throw new PatchloopError(
        'PL_DB_CONFIG_INVALID',
        `PATCHLOOP_DATABASE_URL must be a postgres:// or postgresql:// URL, got ${redactUrl(url)}`,
      );
    }
    return { databaseUrl: url };
  }
  const dir = flags.dataDir ?? env.PATCHLOOP_DATA_DIR ?? DEFAULT_DATA_DIR;
  if (dir.trim() === '') throw new PatchloopError('PL_DB_CONFIG_INVALID', 'the data directory is empty');
  return { dataDir: dir };
}

/**
 * Opens the store and brings its schema up to date. With `readOnly` the
 * schema is only checked (a read-only scan never migrates): a store that is
 * behind is an error.
 */
export async function openStore(
  config: DbConfig,
  options: { readOnly?: boolean } & Pick<PostgresOptions, 'waitMs' | 'onWait'> = {},
): Promise<Db> {
  // A read-only open never creates a store as a side effect.
  if (options.readOnly && 'dataDir' in config && !existsSync(join(config.dataDir, 'PG_VERSION'))) {
    throw new PatchloopError(
      'PL_DB_CONFIG_INVALID',
      `the store is empty: no store at ${config.dataDir}; import feeds first (patchloop feeds import or feeds sync)`,
    );
  }
  let db: Db;
  try {
    db =
      'databaseUrl' in config
        ? await openPostgres(config.databaseUrl, { waitMs: options.waitMs, onWait: options.onWait })
        : await openPglite(config.dataDir);
  } catch (e) {
    if (isPatchloopError(e)) throw e; // PL_STORE_IN_USE, PL_DB_UNAVAILABLE say it all
    const where = 'databaseUrl' in config ? redactUrl(config.databaseUrl) : config.dataDir;
    throw new PatchloopError(
      'PL_DB_CONFIG_INVALID',
      `cannot open the store at ${where}: ${redactUrls((e as Error).message)}`,
    );
  }
  try {
    if (options.readOnly) await checkSchema(db);
    else await migrate(db);
  } catch (e) {
    await db.close();
    throw e;
  }
  return db;
}
