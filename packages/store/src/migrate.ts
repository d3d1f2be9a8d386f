/**
 * Forward-only migrations: `packages/store/migrations/NNNN_name.sql`, applied
 * in order on open, each in its own transaction under an advisory lock so
 * that several server replicas starting together apply each one once.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { PatchloopError } from '@patchloop/core';
import type { Db } from './db.js';
import { lockMigration } from './locks.js';

const MIGRATIONS_DIR = fileURLToPath(new URL('../migrations/', import.meta.url));
export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

export function loadMigrations(dir = MIGRATIONS_DIR): Migration[] {
  return readdirSync(dir)
    .filter((f) => /^\d{4}_[a-z0-9_]+\.sql$/.test(f))
    .sort()
    .map((f) => ({
      version: Number(f.slice(0, 4)),
      name: f.slice(5, -4),
      sql: readFileSync(`${dir}/${f}`, 'utf8'),
    }));
}

/** Applies the migrations not yet applied; returns the versions applied now. */
export async function migrate(db: Db, migrations = loadMigrations()): Promise<number[]> {
  await db.exec(
    `CREATE TABLE IF NOT EXISTS schema_migrations (
       version integer PRIMARY KEY,
       name text NOT NULL,
       applied_at timestamptz NOT NULL DEFAULT now()
     )`,
  );
  const applied: number[] = [];
  for (const m of migrations) {
    try {
      const done = await db.transaction(async (tx) => {
        await lockMigration(tx);
        const seen = await tx.query('SELECT 1 FROM schema_migrations WHERE version = $1', [m.version]);
        if (seen.rows.length > 0) return false;
        await tx.exec(m.sql);
        await tx.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [m.version, m.name]);
        return true;
      });
      if (done) applied.push(m.version);
    } catch (e) {
      throw new PatchloopError(
        'PL_DB_MIGRATION_FAILED',
        `migration ${m.version} (${m.name}) failed: ${(e as Error).message}`,
        { version: m.version },
      );
    }
  }
  return applied;
}

export async function schemaVersion(db: Db): Promise<number> {
  const r = await db.query<{ v: number | null }>('SELECT max(version) AS v FROM schema_migrations');
  return r.rows[0]?.v ?? 0;
}

/** For read-only use: the store must already be at the latest schema. */
export async function checkSchema(db: Db, migrations = loadMigrations()): Promise<void> {
  const latest = migrations.at(-1)?.version ?? 0;
  const table = await db.query<{ t: string | null }>(`SELECT to_regclass('schema_migrations')::text AS t`);
  // No schema_migrations table at all: an empty store.
  const current = table.rows[0]?.t ? await schemaVersion(db) : 0;
  if (current === latest) return;
  throw new PatchloopError(
    'PL_DB_CONFIG_INVALID',
    current === 0
      ? 'the store is empty: import feeds first (patchloop feeds import or feeds sync)'
      : current > latest
        ? `the store's schema is at version ${current}, newer than this Patchloop knows (${latest}): upgrade Patchloop`
        : `the store's schema is at version ${current}, this Patchloop needs ${latest}: run any feeds command to migrate it`,
  );
}
