/**
 * Counting rows under several filters in one statement, from the very
 * conditions a list query uses, so a dashboard's figure and the `total` of
 * the list it links to cannot disagree.
 */
import type { Queryable } from '../db.js';

/** Positional parameters of one statement: `p(value)` binds a value and returns its placeholder. */
export function sqlParams(): { values: unknown[]; p: (v: unknown) => string } {
  const values: unknown[] = [];
  return {
    values,
    p: (v) => {
      values.push(v);
      return `$${values.length}`;
    },
  };
}

/**
 * `SELECT count(*) FILTER (WHERE …)` per key over `from`. Conditions that
 * every key has (the same text, so the same placeholders) go into the WHERE
 * clause once; the rest filter each count.
 */
export async function countMatching<K extends string>(
  q: Queryable,
  from: string,
  conditions: Record<K, readonly string[]>,
  params: readonly unknown[],
): Promise<Record<K, number>> {
  const keys = Object.keys(conditions) as K[];
  const out = {} as Record<K, number>;
  if (keys.length === 0) return out;
  const lists = keys.map((k) => conditions[k]);
  const common = [...new Set(lists[0])].filter((c) => lists.every((l) => l.includes(c)));
  const columns = lists.map((l, i) => {
    const own = l.filter((c) => !common.includes(c));
    return `count(*)${own.length > 0 ? ` FILTER (WHERE ${own.join(' AND ')})` : ''}::int AS c${i}`;
  });
  const where = common.length > 0 ? `WHERE ${common.join(' AND ')}` : '';
  const r = await q.query<Record<string, number>>(`SELECT ${columns.join(', ')} FROM ${from} ${where}`, [
    ...params,
  ]);
  const row = r.rows[0] ?? {};
  keys.forEach((k, i) => {
    out[k] = Number(row[`c${i}`] ?? 0);
  });
  return out;
}
