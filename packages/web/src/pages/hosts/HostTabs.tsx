/** A host's tabs that list what it holds: findings, packages, deployment history, audit trail. */
import { useState } from 'react';
import { Link } from 'react-router';
import { endpoints } from '../../api/endpoints.js';
import { useHostAudit, useHostDeployments, useHostFindings, useHostPackages } from '../../api/hosts.js';
import { AuditTable } from '../../components/AuditTable.js';
import { KevBadge, PriorityBadge, SeverityBadge, StateBadge } from '../../components/badges.js';
import { DataTable } from '../../components/DataTable.js';
import { ExportCsv } from '../../components/ExportCsv.js';
import { FindingExplain } from '../../components/FindingExplain.js';
import { RequestException } from '../../components/FindingActions.js';
import { formatDate, formatDateTime, plural } from '../../components/format.js';
import { Pager } from '../../components/Pager.js';
import { noRows, QueryView } from '../../components/QueryView.js';
import { Empty } from '../../components/states.js';

export function HostFindings({ id }: { id: number }) {
  const [offset, setOffset] = useState(0);
  const [limit, setLimit] = useState(100);
  const [status, setStatus] = useState('open');
  const q = useHostFindings(id, { status, sort: 'risk', offset, limit });
  return (
    <>
      <label className="inline">
        Show{' '}
        <select value={status} onChange={(e) => (setStatus(e.target.value), setOffset(0))}>
          <option value="open">open findings</option>
          <option value="resolved">resolved findings</option>
        </select>
      </label>{' '}
      <ExportCsv
        path={endpoints.hostFindings(id)}
        query={{ status, sort: 'risk' }}
        what="this host's findings"
      />
      <QueryView
        query={q}
        what="findings"
        isEmpty={noRows}
        empty={
          <Empty title={status === 'open' ? 'No open findings on this host' : 'No resolved findings yet'} />
        }
      >
        {(d) => (
          <>
            <ul className="finding-list" aria-label="Findings">
              {d.items.map((f) => (
                <li key={f.id}>
                  <details>
                    <summary>
                      <PriorityBadge priority={f.risk?.priority} /> <strong>{f.advisory.id}</strong>{' '}
                      {f.package}{' '}
                      <code className="small">
                        {f.installedVersion} → {f.fixedVersion ?? 'no fix'}
                      </code>{' '}
                      <SeverityBadge severity={f.severity} />{' '}
                      {f.kev ? <KevBadge ransomware={f.kev.ransomware} /> : null}
                      {f.sla ? <span className="muted small"> due {formatDate(f.sla.dueAt)}</span> : null}
                    </summary>
                    <FindingExplain f={f} />
                    <p>
                      <RequestException f={f} />
                    </p>
                  </details>
                </li>
              ))}
            </ul>
            <Pager
              offset={offset}
              limit={limit}
              total={d.total}
              onChange={(o, l) => (setOffset(o), setLimit(l))}
              sizes={[100, 500, 1000]}
            />
          </>
        )}
      </QueryView>
    </>
  );
}

export function Packages({ id }: { id: number }) {
  const [filter, setFilter] = useState('');
  const q = useHostPackages(id);
  return (
    <QueryView query={q} what="packages">
      {(d) => {
        const rows = filter ? d.items.filter((p) => p.name.includes(filter)) : d.items;
        return (
          <>
            <label className="inline">
              Package name <input type="search" value={filter} onChange={(e) => setFilter(e.target.value)} />
            </label>
            <span className="muted small"> {plural(rows.length, 'package')}</span>
            <DataTable
              caption="Installed packages"
              rows={rows}
              rowKey={(p) => `${p.name}:${p.arch}`}
              maxHeight="60vh"
              columns={[
                { key: 'name', header: 'Name', render: (p) => p.name },
                {
                  key: 'version',
                  header: 'Version',
                  render: (p) => <code className="small">{p.version}</code>,
                },
                { key: 'arch', header: 'Arch', render: (p) => p.arch },
                { key: 'source', header: 'Source', render: (p) => `${p.sourceName} ${p.sourceVersion}` },
                {
                  key: 'update',
                  header: 'Update',
                  render: (p) =>
                    p.update ? <code className="small">{p.update.candidateVersion}</code> : '—',
                },
              ]}
            />
          </>
        );
      }}
    </QueryView>
  );
}

export function HostDeployments({ id }: { id: number }) {
  const q = useHostDeployments(id);
  return (
    <QueryView
      query={q}
      what="deployment history"
      isEmpty={noRows}
      empty={<Empty title="No deployment has touched this host yet" />}
    >
      {(d) => (
        <DataTable
          caption="Deployment history"
          rows={d.items}
          rowKey={(t) => t.taskId}
          columns={[
            {
              key: 'd',
              header: 'Deployment',
              render: (t) => <Link to={`/deployments/${t.deploymentId}`}>#{t.deploymentId}</Link>,
            },
            { key: 'kind', header: 'Kind', render: (t) => `${t.kind}${t.policy ? ` (${t.policy})` : ''}` },
            { key: 'ring', header: 'Ring', render: (t) => t.ring },
            { key: 'status', header: 'Status', render: (t) => <StateBadge state={t.status} /> },
            {
              key: 'pkgs',
              header: 'Packages',
              render: (t) => t.packages.map((p) => `${p.name} ${p.version}`).join(', '),
            },
            {
              key: 'error',
              header: 'Error',
              render: (t) => (t.error ? `${t.error.code}: ${t.error.message}` : '—'),
            },
            { key: 'when', header: 'Finished', render: (t) => formatDateTime(t.finishedAt) },
          ]}
        />
      )}
    </QueryView>
  );
}

export function HostAudit({ id }: { id: number }) {
  const q = useHostAudit(id);
  return (
    <QueryView
      query={q}
      what="the audit trail"
      isEmpty={noRows}
      empty={<Empty title="No audited change to this host yet" />}
    >
      {(d) => <AuditTable rows={d.items} />}
    </QueryView>
  );
}
