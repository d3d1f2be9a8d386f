/**
 * Every PostgreSQL advisory lock the system takes, in one registry: a key
 * (or a key space, for locks per host or machine) is named here once, so
 * two uses never share a key by accident. All are transaction locks
 * (pg_advisory_xact_lock): released at the transaction's end.
 */
import type { Queryable } from './db.js';

/** Single keys (the bigint form). */
const KEY = {
  /** One process at a time applies migrations. */
  migration: 7_305_000_001,
  /** One replica at a time bootstraps (first admin, tokens, enrollment secret). */
  bootstrap: 7_305_000_002,
} as const;

/** Key spaces (the (int, int) form): the second key is the object's. */
const SPACE = {
  /** One enrollment of a machine id at a time. */
  enrollMachine: 7_305_003,
  /** One assessment of a host writes at a time. */
  assessHost: 7_305_004,
} as const;

async function lock(tx: Queryable, key: number): Promise<void> {
  await tx.query('SELECT pg_advisory_xact_lock($1::bigint)', [key]);
}

export const lockMigration = (tx: Queryable) => lock(tx, KEY.migration);

export const lockBootstrap = (tx: Queryable) => lock(tx, KEY.bootstrap);

export async function lockEnrollMachine(tx: Queryable, machineId: string): Promise<void> {
  await tx.query('SELECT pg_advisory_xact_lock($1::int, hashtext($2))', [SPACE.enrollMachine, machineId]);
}

export async function lockHostAssessment(tx: Queryable, hostId: number): Promise<void> {
  await tx.query('SELECT pg_advisory_xact_lock($1::int, $2::int)', [SPACE.assessHost, hostId]);
}
