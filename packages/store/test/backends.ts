/**
 * Test support: every store test runs on both backends, embedded PGlite and
 * a real PostgreSQL (the cluster started by global-setup.ts).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inject } from 'vitest';
import type { Db } from '../src/db.js';
import { openStore } from '../src/open.js';
import { openPglite } from '../src/pglite-db.js';
import { openPostgres } from '../src/postgres-db.js';
import { createDatabase } from '@patchloop/test-support/pg';

export interface Backend {
  readonly name: 'pglite' | 'postgres';
  /** A fresh, migrated, empty store; close it with `done`. */
  open(): Promise<{ db: Db; done: () => Promise<void> }>;
  /** A fresh store with no migration applied (migration tests apply them with migrate()). */
  openEmpty(): Promise<{ db: Db; done: () => Promise<void> }>;
}

let counter = 0;

async function pglite(open: (dir: string) => Promise<Db>): Promise<{ db: Db; done: () => Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'pl-pglite-'));
  const db = await open(dir);
  return {
    db,
    done: async () => {
      await db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

const freshDatabase = () => createDatabase(inject('pgUrl'), `t_${process.pid}_${Date.now()}_${counter++}`);

export const BACKENDS: Backend[] = [
  {
    name: 'pglite',
    async open() {
      return pglite((dir) => openStore({ dataDir: dir }));
    },
    openEmpty() {
      return pglite(openPglite);
    },
  },
  {
    name: 'postgres',
    async open() {
      const db = await openStore({ databaseUrl: await freshDatabase() });
      return { db, done: () => db.close() };
    },
    async openEmpty() {
      const db = await openPostgres(await freshDatabase());
      return { db, done: () => db.close() };
    },
  },
];
