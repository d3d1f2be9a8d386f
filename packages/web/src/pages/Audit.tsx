/** The audit log: every state change, who, when, before and after (hash-chained on the server). */
import type { AuditEvent } from '@patchloop/contracts';
import type { Static } from 'typebox';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { api } from '../api/client.js';
import { ExportCsv } from '../components/ExportCsv.js';
import { plural } from '../components/format.js';
import { useListParams } from '../components/list-params.js';
import { ListPager, TextFilter } from '../components/filters.js';
import { Empty, ErrorNotice, Loading } from '../components/states.js';
import { AuditTable } from '../components/AuditTable.js';

type Audit = Static<typeof AuditEvent>;

export function Audit() {
  const p = useListParams(100);
  const v = p.values;
  const query = { limit: p.limit, offset: p.offset, action: v.action, target: v.target };
  const q = useQuery({
    queryKey: ['audit', query],
    queryFn: () => api.get<{ items: Audit[]; total: number }>('/api/v1/audit', query),
    placeholderData: keepPreviousData,
  });
  return (
    <>
      <div className="page-head">
        <h1>Audit log</h1>
        {q.data ? <span className="muted">{plural(q.data.total, 'event')}</span> : null}
        <span className="page-actions">
          <ExportCsv path="/api/v1/audit" query={query} what="these audit events" />
        </span>
      </div>
      <form
        className="filters"
        role="search"
        aria-label="Filter the audit log"
        onSubmit={(e) => e.preventDefault()}
      >
        <TextFilter params={p} name="action" label="Action" placeholder="policy.update" />
        <TextFilter params={p} name="target" label="Target" placeholder="host:12" />
      </form>
      <p className="muted small">
        The log is hash-chained: <code>patchloop audit verify</code> detects any edit, deletion or reordering.
      </p>
      {q.isPending ? (
        <Loading what="the audit log" />
      ) : q.isError ? (
        <ErrorNotice error={q.error} />
      ) : q.data.total === 0 ? (
        <Empty title="No audit events match" />
      ) : (
        <>
          <AuditTable rows={q.data.items} />
          <ListPager params={p} total={q.data.total} />
        </>
      )}
    </>
  );
}
