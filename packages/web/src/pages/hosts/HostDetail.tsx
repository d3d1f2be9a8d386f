/** One host: OS and end-of-life status, findings with explanations, packages, updates, deployments, audit trail. */
import { useState } from 'react';
import { Tab, TabList, TabPanel, Tabs, type Key } from 'react-aria-components';
import { Link, useParams, useSearchParams } from 'react-router';
import { useHost } from '../../api/hosts.js';
import type { Host } from '../../api/types.js';
import { canWrite, useSession } from '../../auth/session.js';
import { DuplicateNameBadge, StateBadge } from '../../components/badges.js';
import {
  formatDateTime,
  formatPendingUpdates,
  formatRelative,
  osName,
  PATCH_STATUS_TEXT,
  plural,
} from '../../components/format.js';
import { QueryView } from '../../components/QueryView.js';
import { HostEdit } from './HostEdit.js';
import { HostAudit, HostDeployments, HostFindings, Packages } from './HostTabs.js';
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
