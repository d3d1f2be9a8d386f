/** Policies as code: the list, each with its version and who changed it last. */
import type { PolicyList } from '@patchloop/contracts';
import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import { api } from '../api/client.js';
import { canWrite, useSession } from '../auth/session.js';
import { DataTable } from '../components/DataTable.js';
import { formatDateTime } from '../components/format.js';
import { Empty, ErrorNotice, Loading } from '../components/states.js';

export function Policies() {
  const { user } = useSession();
  const q = useQuery({ queryKey: ['policies'], queryFn: () => api.get<PolicyList>('/api/v1/policies') });
  return (
    <>
      <div className="page-head">
        <h1>Policies</h1>
        {canWrite(user) ? (
          <Link className="button primary" to="/policies/new">
            New policy
          </Link>
        ) : null}
      </div>
      {q.isPending ? (
        <Loading what="policies" />
      ) : q.isError ? (
        <ErrorNotice error={q.error} />
      ) : q.data.items.length === 0 ? (
        <Empty title="No policies yet">
          <p>
            A policy says which hosts get which updates, when (maintenance windows), in which rings, and how
            they reboot. Create one here or with <code>patchloop policy apply FILE</code>.
          </p>
        </Empty>
      ) : (
        <DataTable
          caption="Policies"
          rows={q.data.items}
          rowKey={(p) => p.name}
          columns={[
            { key: 'name', header: 'Name', render: (p) => <Link to={`/policies/${p.name}`}>{p.name}</Link> },
            { key: 'version', header: 'Version', className: 'num', render: (p) => p.version },
            { key: 'by', header: 'Changed by', render: (p) => p.updatedBy },
            { key: 'at', header: 'Changed', render: (p) => formatDateTime(p.updatedAt) },
          ]}
        />
      )}
    </>
  );
}
