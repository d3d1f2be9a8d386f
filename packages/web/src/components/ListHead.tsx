/** The head of a list page (title, count, actions, CSV export) and its filter bar. */
import type { ReactNode } from 'react';
import type { Query } from '../api/client.js';
import { ExportCsv } from './ExportCsv.js';

export function ListHead({
  title,
  count,
  csv,
  children,
}: {
  title: string;
  /** What the list holds ("12 hosts"), once known. */
  count?: string | undefined;
  /** The list's CSV export: its path and current filters. */
  csv?: { path: string; query: Query; what: string };
  /** Actions next to the title. */
  children?: ReactNode;
}) {
  return (
    <div className="page-head">
      <h1>{title}</h1>
      {count !== undefined ? <span className="muted">{count}</span> : null}
      {children}
      {csv ? (
        <span className="page-actions">
          <ExportCsv path={csv.path} query={csv.query} what={csv.what} />
        </span>
      ) : null}
    </div>
  );
}

/** The filters of a list: they act as they change (no submit). */
export function FilterBar({ label, children }: { label: string; children: ReactNode }) {
  return (
    <form className="filters" role="search" aria-label={label} onSubmit={(e) => e.preventDefault()}>
      {children}
    </form>
  );
}
