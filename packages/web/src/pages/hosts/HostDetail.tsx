/** One host: OS and end-of-life status, findings with explanations, packages, updates, deployments, audit trail. */
import { useState } from 'react';
import { Tab, TabList, TabPanel, Tabs, type Key } from 'react-aria-components';
import { Link, useParams, useSearchParams } from 'react-router';
import { endpoints } from '../../api/endpoints.js';
import {
  useHost,
  useHostAudit,
  useHostDeployments,
  useHostFindings,
  useHostPackages,
} from '../../api/hosts.js';
import type { Host } from '../../api/types.js';
import { canWrite, useSession } from '../../auth/session.js';
import {
  DuplicateNameBadge,
  KevBadge,
  PriorityBadge,
  SeverityBadge,
  StateBadge,
} from '../../components/badges.js';
import { AuditTable } from '../../components/AuditTable.js';
import { DataTable } from '../../components/DataTable.js';
import { ExportCsv } from '../../components/ExportCsv.js';
import { FindingExplain } from '../../components/FindingExplain.js';
import { RequestException } from '../../components/FindingActions.js';
import {
  formatDate,
  formatDateTime,
  formatPendingUpdates,
  formatRelative,
  osName,
  PATCH_STATUS_TEXT,
  plural,
} from '../../components/format.js';
import { Pager } from '../../components/Pager.js';
import { noRows, QueryView } from '../../components/QueryView.js';
import { Empty } from '../../components/states.js';
import { HostEdit } from './HostEdit.js';
import { HostEnrollToken } from './HostEnrollToken.js';
import { HostLifecycle } from './HostLifecycle.js';
import { HostUpdates } from './HostUpdates.js';

function Overview({ h }: { h: Host }) {
  const { user } = useSession();
  const [editing, setEditing] = useState(false);
  return (
    <div className="grid-2">
      <section className="panel" aria-labelledby="os-title">
        <h2 id="os-title">System</h2>
        <dl className="facts">
          <dt>OS</dt>
          <dd>
            {osName(h.os)}
            {h.os.prettyName ? <span className="muted"> ({h.os.prettyName})</span> : null}
          </dd>
          <dt>End of life</dt>
          <dd>
            {h.eol ? (
              <>
                <StateBadge state={h.eol.status} /> {h.eol.explanation}
              </>
            ) : (
              'unknown (no end-of-life data for this release)'
            )}
          </dd>
          <dt>Kernel</dt>
          <dd>
            {h.kernel.running ?? '—'}
            {h.kernel.newestInstalled && h.kernel.newestInstalled !== h.kernel.running
              ? ` (newest installed ${h.kernel.newestInstalled})`
              : ''}
          </dd>
          <dt>Reboot</dt>
          <dd>
            {h.reboot.required
              ? `required: ${h.reboot.reasons.join(', ') || 'reason not given'}`
              : 'not required'}
          </dd>
          <dt>Architecture</dt>
          <dd>{h.arch ?? '—'}</dd>
          <dt>Package manager</dt>
          <dd>
            {h.packageManager ?? '—'}, {plural(h.packageCount, 'package')}
            {h.updatesAvailable !== null ? `, ${plural(h.updatesAvailable, 'update')} available` : ''}
          </dd>
        </dl>
      </section>
      <section className="panel" aria-labelledby="agent-title">
        <div className="panel-head">
          <h2 id="agent-title">Management</h2>
          {canWrite(user) && !editing ? (
            <button type="button" onClick={() => setEditing(true)}>
              Edit<span className="visually-hidden"> {h.hostname}</span>
            </button>
          ) : null}
        </div>
        {editing ? (
          <HostEdit h={h} onDone={() => setEditing(false)} />
        ) : (
          <dl className="facts">
            <dt>Last seen</dt>
            <dd>
              {formatRelative(h.lastSeen)} {h.stale ? <StateBadge state="stale" /> : null}
            </dd>
            <dt>Reports via</dt>
            <dd>
              {h.transport}
              {h.agentVersion ? ` (agent ${h.agentVersion})` : ''}
            </dd>
            <dt>Enrolled</dt>
            <dd>{formatDateTime(h.enrolledAt)}</dd>
            <dt>Machine id</dt>
            <dd>
              {h.machineId ??
                (user?.role === 'auditor' && h.transport !== 'import' ? 'hidden from auditors' : '—')}
            </dd>
            <dt>Assessed</dt>
            <dd>
              {formatDateTime(h.assessedAt)}
              {h.assessmentNote ? <span className="muted"> — {h.assessmentNote}</span> : null}
            </dd>
            <dt>Criticality</dt>
            <dd>{h.criticality}</dd>
            <dt>Environment</dt>
            <dd>
              {h.environment ?? '—'}
              {h.internetFacing ? ', internet-facing' : ''}
            </dd>
            <dt>Owner</dt>
            <dd>{h.owner ?? '—'}</dd>
            <dt>Tags</dt>
            <dd>
              {h.tags.length === 0
                ? '—'
                : h.tags.map((t) => (
                    <span key={t} className="tag">
                      {t}
                    </span>
                  ))}
            </dd>
          </dl>
        )}
      </section>
    </div>
  );
}

function HostFindings({ id }: { id: number }) {
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

function Packages({ id }: { id: number }) {
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

function HostDeployments({ id }: { id: number }) {
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

function HostAudit({ id }: { id: number }) {
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

const TABS = ['overview', 'findings', 'packages', 'updates', 'deployments', 'audit'] as const;

export function HostDetail() {
  const id = Number(useParams().id);
  const [params, setParams] = useSearchParams();
  const tab = (TABS as readonly string[]).includes(params.get('tab') ?? '')
    ? (params.get('tab') as string)
    : 'overview';
  const q = useHost(id);
  return (
    <QueryView query={q} what="the host">
      {(h) => <HostPage h={h} tab={tab} onTab={(k) => setParams({ tab: String(k) }, { replace: true })} />}
    </QueryView>
  );
}

function HostPage({ h, tab, onTab }: { h: Host; tab: string; onTab: (k: Key) => void }) {
  const id = h.id;
  const c = h.findingCounts;
  return (
    <>
      <p className="crumbs">
        <Link to="/hosts">Hosts</Link> /
      </p>
      <div className="page-head">
        <h1>{h.hostname}</h1>
        {h.duplicateName ? <DuplicateNameBadge h={h} /> : null}
        <span className="muted">{osName(h.os)}</span>
        {h.assessment.state === 'assessed' ? (
          <span className="muted">
            {plural(c.total, 'open finding')}, {c.kev} KEV, {c.critical} critical, {c.high} high
          </span>
        ) : (
          <span>
            <span className="muted small">findings</span> <StateBadge state="not assessed" />
          </span>
        )}
        <span>
          <span className="muted small">patches</span>{' '}
          <StateBadge state={PATCH_STATUS_TEXT[h.patchStatus] ?? h.patchStatus} />
        </span>
        {h.eol && h.eol.status !== 'supported' ? <StateBadge state={`EOL: ${h.eol.status}`} /> : null}
      </div>
      {h.assessment.state === 'not-assessed' ? (
        <p className="notice" role="note">
          Findings not assessed: {h.assessment.reason}. No finding here does not mean no vulnerability.
        </p>
      ) : null}
      <p className="muted">
        Pending updates: {formatPendingUpdates(h.pendingUpdates)} · Last patched:{' '}
        {h.lastPatchedAt ? formatDateTime(h.lastPatchedAt) : 'not seen yet'}
      </p>
      <HostLifecycle h={h} />
      <HostEnrollToken h={h} />
      <Tabs selectedKey={tab} onSelectionChange={onTab}>
        <TabList aria-label="Host sections" className="tabs">
          <Tab id="overview">Overview</Tab>
          <Tab id="findings">Findings ({c.total})</Tab>
          <Tab id="packages">Packages ({h.packageCount})</Tab>
          <Tab id="updates">Updates{h.updatesAvailable !== null ? ` (${h.updatesAvailable})` : ''}</Tab>
          <Tab id="deployments">Deployments</Tab>
          <Tab id="audit">Audit trail</Tab>
        </TabList>
        <TabPanel id="overview">
          <Overview h={h} />
        </TabPanel>
        <TabPanel id="findings">
          <HostFindings id={id} />
        </TabPanel>
        <TabPanel id="packages">
          <Packages id={id} />
        </TabPanel>
        <TabPanel id="updates">
          <HostUpdates id={id} />
        </TabPanel>
        <TabPanel id="deployments">
          <HostDeployments id={id} />
        </TabPanel>
        <TabPanel id="audit">
          <HostAudit id={id} />
        </TabPanel>
      </Tabs>
    </>
  );
}
