import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS } from '../test/backends.js';
import type { Db } from './db.js';
import { TABLES, VIEWS } from './schema.js';

/** information_schema's udt_name → the spelling TABLES uses. */
const SPELLING: Record<string, string> = {
  int8: 'bigint',
  int4: 'integer',
  int2: 'smallint',
  float4: 'real',
  float8: 'double precision',
  text: 'text',
  _text: 'text[]',
  bool: 'boolean',
  date: 'date',
  timestamptz: 'timestamptz',
  jsonb: 'jsonb',
};

describe.each(BACKENDS)('the schema description on $name', (backend) => {
  let db: Db;
  let done: () => Promise<void>;
  beforeAll(async () => {
    ({ db, done } = await backend.open());
  });
  afterAll(() => done());

  /** The live columns of the tables (or views) of `type`: table → column → type (` null` when nullable). */
  async function columns(type: 'BASE TABLE' | 'VIEW'): Promise<Record<string, Record<string, string>>> {
    const r = await db.query<{
      table_name: string;
      column_name: string;
      udt_name: string;
      is_nullable: 'YES' | 'NO';
      datetime_precision: number | null;
    }>(
      `SELECT table_name, column_name, udt_name, is_nullable, datetime_precision
       FROM information_schema.columns c
       WHERE table_schema = current_schema()
         AND EXISTS (SELECT 1 FROM information_schema.tables t
                     WHERE t.table_schema = c.table_schema AND t.table_name = c.table_name
                       AND t.table_type = $1)
       ORDER BY table_name, ordinal_position`,
      [type],
    );
    expect(r.rows.length).toBeGreaterThan(0);
    const live: Record<string, Record<string, string>> = {};
    for (const c of r.rows) {
      let spelled = SPELLING[c.udt_name] ?? `unknown ${c.udt_name}`;
      if (spelled === 'timestamptz' && c.datetime_precision !== null && Number(c.datetime_precision) !== 6) {
        spelled = `timestamptz(${c.datetime_precision})`;
      }
      (live[c.table_name] ??= {})[c.column_name] = c.is_nullable === 'YES' ? `${spelled} null` : spelled;
    }
    return live;
  }

  it('equals the migrated schema: every table, column, type and nullability', async () => {
    expect(await columns('BASE TABLE')).toEqual(TABLES);
  });

  it('describes every view: its columns in order and their types (views report every column nullable)', async () => {
    const typesOnly = (v: Record<string, Record<string, string>>) =>
      Object.fromEntries(
        Object.entries(v).map(([t, cols]) => [
          t,
          Object.entries(cols).map(([c, type]) => `${c} ${type.replace(/ null$/, '')}`),
        ]),
      );
    expect(typesOnly(await columns('VIEW'))).toEqual(typesOnly(VIEWS));
  });
});
