/** Messages between the server's thread and the embedded database's thread (pglite-worker.ts). */

export type PgliteRequest =
  | {
      readonly id: number;
      readonly op: 'query';
      readonly sql: string;
      readonly params: readonly unknown[];
      readonly tx?: number;
    }
  | { readonly id: number; readonly op: 'exec'; readonly sql: string; readonly tx?: number }
  | { readonly id: number; readonly op: 'begin'; readonly txId: number; readonly tx?: undefined }
  | {
      readonly id: number;
      readonly op: 'end';
      readonly txId: number;
      readonly commit: boolean;
      readonly tx?: undefined;
    }
  | { readonly id: number; readonly op: 'close'; readonly tx?: undefined };

/** A database error's own fields (PostgreSQL's code, detail, …), as they cross the thread. */
export interface WireDbError {
  readonly message: string;
  readonly name?: string;
  readonly [field: string]: string | number | undefined;
}

/** id 0 answers the worker's start (ok: the database is open). */
export type PgliteResponse =
  | { readonly id: number; readonly ok: true; readonly value: unknown }
  | { readonly id: number; readonly ok: false; readonly error: WireDbError };
