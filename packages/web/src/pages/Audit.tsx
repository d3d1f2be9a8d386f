/** The audit log: every state change, who, when, before and after (hash-chained on the server). */
import { useAudit } from '../api/admin.js';
import { endpoints } from '../api/endpoints.js';
import { plural } from '../components/format.js';
import { useListParams } from '../components/list-params.js';
import { ListPager, TextFilter } from '../components/filters.js';
import { FilterBar, ListHead } from '../components/ListHead.js';
import { noRows, QueryView } from '../components/QueryView.js';
import { Empty } from '../components/states.js';
import { AuditTable } from '../components/AuditTable.js';

export function Audit() {
  const p = useListParams(100);
  const v = p.values;
  const query = { limit: p.limit, offset: p.offset, action: v.action, target: v.target };
  const q = useAudit(query);
  return (
    <>
      <ListHead
        title="Audit log"
        count={q.data && plural(q.data.total, 'event')}
        csv={{ path: endpoints.audit, query, what: 'these audit events' }}
      />
      <FilterBar label="Filter the audit log">
        <TextFilter params={p} name="action" label="Action" placeholder="policy.update" />
        <TextFilter params={p} name="target" label="Target" placeholder="host:12" />
      </FilterBar>
      <p className="muted small">
        The log is hash-chained: <code>patchloop audit verify</code> detects any edit, deletion or reordering.
      </p>
      <QueryView
        query={q}
        what="the audit log"
        isEmpty={noRows}
        empty={<Empty title="No audit events match" />}
      >
        {(d) => (
          <>
            <AuditTable rows={d.items} />
            <ListPager params={p} total={d.total} />
          </>
        )}
      </QueryView>
    </>
  );
}
