/** Policies as code: the list, each with its version and who changed it last. */
import { Link } from 'react-router';
import { usePolicies } from '../api/policies.js';
import { canWrite, useSession } from '../auth/session.js';
import { DataTable } from '../components/DataTable.js';
import { formatDateTime } from '../components/format.js';
import { ListHead } from '../components/ListHead.js';
import { noItems, QueryView } from '../components/QueryView.js';
import { Empty } from '../components/states.js';

export function Policies() {
  const { user } = useSession();
  const q = usePolicies();
  return (
    <>
      <ListHead title="Policies">
        {canWrite(user) ? (
          <Link className="button primary" to="/policies/new">
            New policy
          </Link>
        ) : null}
      </ListHead>
      <QueryView
        query={q}
        what="policies"
        isEmpty={noItems}
        empty={
          <Empty title="No policies yet">
            <p>
              A policy says which hosts get which updates, when (maintenance windows), in which rings, and how
              they reboot. Create one here or with <code>patchloop policy apply FILE</code>.
            </p>
          </Empty>
        }
      >
        {(d) => (
          <DataTable
            caption="Policies"
            rows={d.items}
            rowKey={(p) => p.name}
            columns={[
              {
                key: 'name',
                header: 'Name',
                render: (p) => <Link to={`/policies/${p.name}`}>{p.name}</Link>,
              },
              { key: 'version', header: 'Version', className: 'num', render: (p) => p.version },
              { key: 'by', header: 'Changed by', render: (p) => p.updatedBy },
              { key: 'at', header: 'Changed', render: (p) => formatDateTime(p.updatedAt) },
            ]}
          />
        )}
      </QueryView>
    </>
  );
}
