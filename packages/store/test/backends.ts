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
import { createDatabase } from '@patchloop/test-support/pg';

export interface Backend {
  readonly name: 'pglite' | 'postgres';
  /** A fresh, migrated, empty store; close it with `done`. */
  open(): Promise<{ db: Db; done: () => Promise<void> }>;
}

let counter = 0;

export const BACKENDS: Backend[] = [
  {
    name: 'pglite',
    async open() {
      const dir = mkdtempSync(join(tmpdir(), 'pl-pglite-'));
      const db = await openStore({ dataDir: dir });
      return {
        db,
        done: async () => {
          await db.close();
          rmSync(dir, { recursive: true, force: true });
        },
      };
    },
  },
  {
    name: 'postgres',
    async open() {
      const name = `t_${process.pid}_${Date.now()}_${counter++}`;
      const url = await createDatabase(inject('pgUrl'), name);
      const db = await openStore({ databaseUrl: url });
      return { db, done: () => db.close() };
    },
  },
];
