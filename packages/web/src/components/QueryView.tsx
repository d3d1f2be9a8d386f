/**
 * A query's four states in one place: loading, error, empty (when the page
 * says what empty is) and the content, which gets the data.
 */
import type { UseQueryResult } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { ErrorNotice, Loading } from './states.js';

export function QueryView<T>({
  query,
  what,
  isEmpty,
  empty = null,
  children,
}: {
  query: UseQueryResult<T, Error>;
  /** What is loading, for "Loading …". */
  what: string;
  isEmpty?: (data: T) => boolean;
  empty?: ReactNode;
  children: (data: T) => ReactNode;
}) {
  if (query.isPending) return <Loading what={what} />;
  if (query.isError) return <ErrorNotice error={query.error} />;
  if (isEmpty?.(query.data)) return <>{empty}</>;
  return <>{children(query.data)}</>;
}

/** A list answer with nothing in it. */
export const noRows = (d: { total: number }) => d.total === 0;
/** A list answer without a total with nothing in it. */
export const noItems = (d: { items: readonly unknown[] }) => d.items.length === 0;
