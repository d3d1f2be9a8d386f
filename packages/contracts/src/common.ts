/** Schema pieces every contracts module shares. */
import { Type, type TSchema } from 'typebox';

export const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);
export const DateTime = Type.String({ format: 'date-time' });
/** A host tag or group name. */
export const Tag = Type.String({ pattern: '^[A-Za-z0-9_.:/-]{1,64}$' });
/** `?format=csv` on a list: every row matching its filters as CSV (limit and offset do not apply). */
export const ListFormat = Type.Optional(
  Type.Enum(['json', 'csv'] as const, {
    description:
      'csv: every row matching the filters (limit and offset do not apply), streamed as text/csv with a header row; cells starting with = + - @ are prefixed with an apostrophe.',
  }),
);

/**
 * `?limit=&offset=` of a paged list, declared once: `defaultLimit` rows by
 * default, at most `maxLimit`. Spread into a query schema: `Type.Object({ ...Paging(100), … })`.
 */
export const Paging = (defaultLimit: number, maxLimit = 1000) => ({
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: maxLimit, default: defaultLimit })),
  offset: Type.Optional(Type.Integer({ minimum: 0, default: 0 })),
});

/** One page of a list: its rows, and how many rows match in all. */
export const Page = <T extends TSchema>(item: T) =>
  Type.Object({ items: Type.Array(item), total: Type.Integer() });
