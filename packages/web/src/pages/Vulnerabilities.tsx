/** The fleet per advisory/CVE: severity, CVSS, EPSS, KEV, due date, affected hosts. */
import { Link } from 'react-router';
import { endpoints } from '../api/endpoints.js';
import { useVulnerabilities } from '../api/findings.js';
import type { Vulnerability as Vuln } from '../api/types.js';
import { KevBadge, PriorityBadge, SeverityBadge } from '../components/badges.js';
import { DataTable, type Column } from '../components/DataTable.js';
import { formatDate, formatPercent, plural } from '../components/format.js';
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

const COLUMNS: Column<Vuln>[] = [
  {
    key: 'advisory',
    header: 'Advisory',
    render: (v) => (
      <>
        <strong>{v.advisory.id}</strong>{' '}
        {v.advisory.aliases.length > 0 ? (
          <span className="muted small clip" title={v.advisory.aliases.join(', ')}>
            {v.advisory.aliases.slice(0, 3).join(', ')}
          </span>
        ) : null}
      </>
    ),
  },
  {
    key: 'hosts',
    header: 'Affected hosts',
    sort: 'hosts',
    className: 'num',
    render: (v) => (
      <Link to={`/findings?advisory=${encodeURIComponent(v.advisory.id)}&status=open`}>
        {plural(v.hosts, 'host')}
      </Link>
    ),
  },
  {
    key: 'priority',
    header: 'Priority',
    sort: 'risk',
    render: (v) => <PriorityBadge priority={v.priority} />,
  },
  { key: 'severity', header: 'Severity', render: (v) => <SeverityBadge severity={v.severity} /> },
  { key: 'cvss', header: 'CVSS', className: 'num', render: (v) => (v.cvss ? v.cvss.score.toFixed(1) : '—') },
  {
    key: 'epss',
    header: 'EPSS',
    className: 'num',
    render: (v) => (v.epss ? formatPercent(v.epss.score) : '—'),
  },
  { key: 'kev', header: 'KEV', render: (v) => (v.kev ? <KevBadge ransomware={v.kev.ransomware} /> : '') },
  { key: 'due', header: 'Due', sort: 'due', render: (v) => formatDate(v.dueAt) },
  {
    key: 'packages',
    header: 'Packages',
    render: (v) => (
      <span className="clip clip-package" title={v.packages.join(', ')}>
        {v.packages.join(', ')}
      </span>
    ),
  },
];

export function Vulnerabilities() {
  const p = useListParams(100);
  const v = p.values;
  const query = {
    limit: p.limit,
    offset: p.offset,
    q: v.q,
    kev: boolParam(v.kev),
    severity: v.severity,
    priority: v.priority,
    sort: v.sort,
  };
  const q = useVulnerabilities(query);
  return (
    <>
      <ListHead
        title="Vulnerabilities"
        count={q.data && plural(q.data.total, 'advisory', 'advisories')}
        csv={{ path: endpoints.vulnerabilities, query, what: 'these vulnerabilities' }}
      />
      <FilterBar label="Filter vulnerabilities">
        <TextFilter params={p} name="q" label="Advisory or CVE" />
        <SelectFilter params={p} name="severity" label="Severity" options={SEVERITIES} />
        <SelectFilter params={p} name="priority" label="Priority" options={PRIORITY_OPTIONS} />
        <CheckFilter params={p} name="kev" label="KEV only" />
      </FilterBar>
      <QueryView
        query={q}
        what="vulnerabilities"
        isEmpty={noRows}
        empty={
          <Empty title="No vulnerability matches">
            <p>
              Nothing in the fleet is affected by a known advisory — or the feeds have not been synced yet
              (Settings → Feeds).
            </p>
          </Empty>
        }
      >
        {(d) => (
          <>
            <DataTable
              caption="Vulnerabilities"
              rows={d.items}
              columns={COLUMNS}
              rowKey={(x) => x.advisory.id}
              sort={{ key: v.sort ?? 'risk', order: 'desc' }}
              onSort={(s) => p.set({ sort: s.key })}
            />
            <ListPager params={p} total={d.total} />
          </>
        )}
      </QueryView>
    </>
  );
}
