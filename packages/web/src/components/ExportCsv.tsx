/**
 * A list's "Export CSV" link: the list's route with its current filters and
 * `format=csv`, so the server streams every matching row (not just this page)
 * under the same access rule. The session cookie goes with it (same origin).
 */
import { queryString, type Query } from '../api/client.js';

export function exportHref(path: string, query: Query): string {
  const { limit: _limit, offset: _offset, ...filters } = query;
  return `${path}${queryString({ ...filters, format: 'csv' })}`;
}

export function ExportCsv({ path, query, what }: { path: string; query: Query; what: string }) {
  return (
    <a className="button" href={exportHref(path, query)} download>
      Export CSV<span className="visually-hidden"> of {what}</span>
    </a>
  );
}
