/**
 * One database interface over embedded PGlite (the default: a data directory,
 * no service) and PostgreSQL (PATCHLOOP_DATABASE_URL, for scale and several
 * server replicas). SQL is PostgreSQL's dialect, kept to what PostgreSQL 14+
 * and PGlite (PostgreSQL 18) both accept.
 */

export interface QueryResult<R> {
  readonly rows: R[];
  /** Rows inserted, updated or deleted by the statement (0 for a SELECT). */
  readonly affectedRows: number;
}

export interface Queryable {
  query<R = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<QueryResult<R>>;
  /** Runs several statements without parameters (migrations). */
  exec(sql: string): Promise<void>;
}

export interface Db extends Queryable {
  readonly kind: 'pglite' | 'postgres';
  /** Where the data lives: the PGlite data directory or the PostgreSQL URL without its password. */
  readonly location: string;
  /** Runs fn in one transaction: committed when it resolves, rolled back when it throws. */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  /** Tells other processes where the server that holds this store listens (the embedded store's lock). */
  announce?(url: string): void;
  close(): Promise<void>;
}

export type DbConfig = { readonly dataDir: string } | { readonly databaseUrl: string };
