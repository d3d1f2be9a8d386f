/** Every finding across the fleet, filtered on the server; the dashboard's figures land here. */
import { useState } from 'react';
import { Link } from 'react-router';
import { endpoints } from '../api/endpoints.js';
import { useFindings } from '../api/findings.js';
import type { Finding } from '../api/types.js';
import { KevBadge, PriorityBadge, SeverityBadge, StateBadge } from '../components/badges.js';
import { DataTable, type Column } from '../components/DataTable.js';
import { FindingExplain } from '../components/FindingExplain.js';
import { RequestException } from '../components/FindingActions.js';
import { formatDate, plural } from '../components/format.js';
import { boolParam, useListParams } from '../components/list-params.js';
import {
  CheckFilter,
  ListPager,
  PRIORITY_OPTIONS,
  SelectFilter,
  SEVERITIES,
  TextFilter,
} from '../components/filters.js';
import { FilterBar, ListHead } from '../components/ListHead.js';
import { noRows, QueryView } from '../components/QueryView.js';
import { Empty } from '../components/states.js';

/**
 * Columns for a laptop screen (1366 px): the row's actions first, then what
 * decides the order of work (severity, risk and priority, due date), then the
 * long fields, clipped with their full text on hover.
 */
function columns(explain: (f: Finding) => void): Column<Finding>[] {
  return [
    {
      key: 'actions',
      header: 'Actions',
      render: (f) => (
        <span className="row-actions">
          <button type="button" className="link-button" onClick={() => explain(f)}>
            Explain
            <span className="visually-hidden">
              {' '}
              {f.advisory.id} on {f.hostname}
            </span>
          </button>
          <RequestException f={f} compact />
        </span>
      ),
    },
    {
      key: 'host',
      header: 'Host',
      sort: 'host',
      render: (f) => (
        <Link to={`/hosts/${f.hostId}`} className="clip clip-host" title={f.hostname}>
          {f.hostname}
        </Link>
      ),
    },
    {
      key: 'advisory',
      header: 'Advisory',
      render: (f) => (
        <>
          <Link
            to={`/findings?advisory=${encodeURIComponent(f.advisory.id)}`}
            className="clip clip-advisory"
            title={f.advisory.id}
          >
            {f.advisory.id}
          </Link>{' '}
          {f.kev ? <KevBadge ransomware={f.kev.ransomware} /> : null}
        </>
      ),
    },
    { key: 'severity', header: 'Severity', render: (f) => <SeverityBadge severity={f.severity} /> },
    {
      key: 'risk',
      header: 'Risk',
      sort: 'risk',
      className: 'num',
      render: (f) => (
        <>
          {f.risk?.score ?? '—'} <PriorityBadge priority={f.risk?.priority} />
        </>
      ),
    },
    {
      key: 'due',
      header: 'Due',
      render: (f) =>
        f.sla ? (
          <>
            {formatDate(f.sla.dueAt)} <StateBadge state={f.sla.state} />
          </>
        ) : (
          '—'
        ),
    },
    {
      key: 'package',
      header: 'Package',
      render: (f) => (
        <span className="clip clip-package" title={f.package}>
          {f.package}
        </span>
      ),
    },
    {
      key: 'versions',
      header: 'Installed → fixed',
      render: (f) => {
        const text = `${f.installedVersion} → ${f.fixedVersion ?? 'no fix'}`;
        return (
          <code className="small clip clip-versions" title={text}>
            {text}
          </code>
        );
      },
    },
  ];
}

export function Findings() {
  const p = useListParams(100);
  const v = p.values;
  const [explained, setExplained] = useState<Finding | null>(null);
  const query = {
    limit: p.limit,
    offset: p.offset,
    status: v.status,
    severity: v.severity,
    priority: v.priority,
    kev: boolParam(v.kev),
    sla: v.sla,
    excepted: boolParam(v.excepted),
    advisory: v.advisory,
    package: v.package,
    sort: v.sort ?? 'risk',
  };
  const q = useFindings(query);
  return (
    <>
      <ListHead
        title="Findings"
        count={q.data && plural(q.data.total, 'finding')}
        csv={{ path: endpoints.findings, query, what: 'these findings' }}
      />
      <FilterBar label="Filter findings">
        <SelectFilter
          params={p}
          name="status"
          label="Status"
          options={['open', 'fixable', 'unfixed', 'resolved']}
        />
        <SelectFilter params={p} name="priority" label="Priority" options={PRIORITY_OPTIONS} />
        <SelectFilter params={p} name="severity" label="Severity" options={SEVERITIES} />
        <SelectFilter params={p} name="sla" label="SLA" options={['breached', 'due-soon', 'ok']} />
        <TextFilter params={p} name="advisory" label="Advisory or CVE" />
        <TextFilter params={p} name="package" label="Package" />
        <CheckFilter params={p} name="kev" label="KEV only" />
        <SelectFilter
          params={p}
          name="excepted"
          label="Exceptions"
          any="shown"
          options={[
            ['false', 'left out'],
            ['true', 'only excepted'],
          ]}
        />
      </FilterBar>
      <QueryView
        query={q}
        what="findings"
        isEmpty={noRows}
        empty={
          <Empty title="No finding matches these filters">
            <p>
              Findings appear once hosts report their packages and the advisory feeds are synced (Settings →
              Feeds).
            </p>
          </Empty>
        }
      >
        {(d) => (
          <div className={explained ? 'split' : undefined}>
            <div>
              <DataTable
                caption="Findings"
                rows={d.items}
                columns={columns(setExplained)}
                rowKey={(f) => f.id}
                sort={{ key: v.sort ?? 'risk', order: 'desc' }}
                onSort={(s) => p.set({ sort: s.key })}
              />
              <ListPager params={p} total={d.total} />
            </div>
            {explained ? (
              <aside className="panel side" aria-label={`Explanation of ${explained.advisory.id}`}>
                <button type="button" className="close" onClick={() => setExplained(null)}>
                  Close<span className="visually-hidden"> explanation</span>
                </button>
                <h2>
                  {explained.advisory.id} on {explained.hostname}
                </h2>
                <FindingExplain f={explained} />
                <p>
                  <RequestException f={explained} />
                </p>
              </aside>
            ) : null}
          </div>
        )}
      </QueryView>
    </>
  );
}
