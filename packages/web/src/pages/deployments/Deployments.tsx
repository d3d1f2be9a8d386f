/** Deployments: start one from a policy, see them all with their state. */
import { useState, type FormEvent } from 'react';
import { Link, useNavigate } from 'react-router';
import { useDeployments, useStartDeployment } from '../../api/deployments.js';
import { endpoints } from '../../api/endpoints.js';
import { usePolicies } from '../../api/policies.js';
import { canWrite, useSession } from '../../auth/session.js';
import { StateBadge } from '../../components/badges.js';
import { DataTable } from '../../components/DataTable.js';
import { formatDateTime } from '../../components/format.js';
import { ListHead } from '../../components/ListHead.js';
import { noRows, QueryView } from '../../components/QueryView.js';
import { Empty, ErrorNotice } from '../../components/states.js';

function StartFromPolicy() {
  const navigate = useNavigate();
  const policies = usePolicies();
  const [policy, setPolicy] = useState('');
  const start = useStartDeployment({ onSuccess: (d) => void navigate(`/deployments/${d.id}`) });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (policy) start.mutate({ policy });
  };
  if (policies.data?.items.length === 0)
    return (
      <p className="notice">
        Deployments start from a policy. <Link to="/policies/new">Create a policy</Link> first.
      </p>
    );
  return (
    <form className="toolbar panel" onSubmit={submit} aria-label="Start a deployment">
      <label className="inline">
        Policy{' '}
        <select value={policy} onChange={(e) => setPolicy(e.target.value)} required>
          <option value="">choose a policy…</option>
          {policies.data?.items.map((p) => (
            <option key={p.name} value={p.name}>
              {p.name} (v{p.version})
            </option>
          ))}
        </select>
      </label>
      <button type="submit" className="primary" disabled={!policy || start.isPending}>
        Start deployment
      </button>
      <span className="muted small">
        The policy's rings, windows and approvals decide who gets what, and when.
      </span>
      {start.isError ? <ErrorNotice error={start.error} /> : null}
    </form>
  );
}

export function Deployments() {
  const { user } = useSession();
  const [status, setStatus] = useState('');
  const q = useDeployments(status);
  return (
    <>
      <ListHead
        title="Deployments"
        csv={{ path: endpoints.deployments, query: { status }, what: 'these deployments' }}
      />
      {canWrite(user) ? <StartFromPolicy /> : null}
      <label className="inline">
        Status{' '}
        <select value={status} onChange={(e) => setStatus(e.target.value)}>
          <option value="">any</option>
          {['planned', 'running', 'halted', 'completed', 'failed', 'cancelled'].map((s) => (
            <option key={s}>{s}</option>
          ))}
        </select>
      </label>
      <QueryView
        query={q}
        what="deployments"
        isEmpty={noRows}
        empty={
          <Empty title="No deployments yet">
            <p>Start one from a policy above; pilot rings go first, later rings wait for them to succeed.</p>
          </Empty>
        }
      >
        {(d) => (
          <DataTable
            caption="Deployments"
            rows={d.items}
            rowKey={(d) => d.id}
            columns={[
              {
                key: 'id',
                header: '#',
                render: (d) => <Link to={`/deployments/${d.id}`}>Deployment {d.id}</Link>,
              },
              { key: 'status', header: 'Status', render: (d) => <StateBadge state={d.status} /> },
              { key: 'kind', header: 'Kind', render: (d) => d.kind },
              { key: 'policy', header: 'Policy', render: (d) => d.policy ?? '—' },
              { key: 'waiting', header: 'Waiting for', render: (d) => d.waiting ?? '—' },
              { key: 'by', header: 'Started by', render: (d) => d.createdBy },
              { key: 'at', header: 'Created', render: (d) => formatDateTime(d.createdAt) },
            ]}
          />
        )}
      </QueryView>
    </>
  );
}
