/**
 * The row types of the store's queries, derived from the schema description
 * (schema.ts): `Row<'host'>` is a host row as both backends return it.
 */
import type { TABLES, VIEWS } from './schema.js';

/** The SQL types the migrations use, as spelled in TABLES. */
export type SqlType =
  | 'bigint'
  | 'integer'
  | 'smallint'
  | 'real'
  | 'double precision'
  | 'text'
  | 'text[]'
  | 'boolean'
  | 'date'
  | 'timestamptz'
  | 'timestamptz(3)'
  | 'jsonb';
export type ColumnSpec = SqlType | `${SqlType} null`;

/** What a value of each SQL type reads as, on both backends (jsonb: parsed, of unchecked shape). */
interface ValueOf {
  bigint: number;
  integer: number;
  smallint: number;
  real: number;
  'double precision': number;
  text: string;
  'text[]': string[];
  boolean: boolean;
  date: string;
  timestamptz: Date;
  'timestamptz(3)': Date;
  jsonb: unknown;
}

type ValueOfSpec<S> = S extends `${infer T extends SqlType} null`
  ? ValueOf[T] | null
  : S extends SqlType
    ? ValueOf[S]
    : never;

/** TABLES, checked to spell only known types. */
type Tables<T extends Record<string, Record<string, ColumnSpec>>> = T;
type Schema = Tables<typeof TABLES & typeof VIEWS>;

export type TableName = keyof Schema;

/** A row of a table as read with `SELECT *`; pick the columns a query selects (`Pick<Row<'host'>, 'id'>`). */
export type Row<T extends TableName> = {
  -readonly [C in keyof Schema[T]]: ValueOfSpec<Schema[T][C]>;
};
