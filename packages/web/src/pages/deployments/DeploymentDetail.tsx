/**
 * One deployment, live: ring progress, its hosts a page at a time with each one's log on request,
 * halt/resume/cancel/rollback, change record.
 */
import { useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import {
  LIVE,
  useDeployment,
  useDeploymentTask,
  useRollback,
  useSteerDeployment,
} from '../../api/deployments.js';
import { endpoints } from '../../api/endpoints.js';
import type { DeploymentTask as Task, DeploymentView } from '../../api/types.js';
import { canWrite, useSession } from '../../auth/session.js';
import { StateBadge } from '../../components/badges.js';
import { DataTable } from '../../components/DataTable.js';
import { formatDateTime, formatPercent } from '../../components/format.js';
import { QueryView } from '../../components/QueryView.js';
import { ErrorNotice } from '../../components/states.js';

function Rings({ d }: { d: DeploymentView }) {
  return (
    <ol className="rings" aria-label="Rings">
      {d.rings.map((r) => {
        const done = r.succeeded + r.failed;
        return (
          <li key={r.name} className="panel ring">
            <h3>
              {r.name} <StateBadge state={r.status} />
            </h3>
            <progress
              max={Math.max(r.total, 1)}
              value={done}
              aria-label={`Ring ${r.name}: ${done} of ${r.total} hosts done`}
            />
            <p className="small">
              {r.succeeded} succeeded, {r.failed} failed, {r.inFlight} in flight, {r.queued} queued of{' '}
              {r.total}
              {r.successRate !== null ? ` — success ${formatPercent(r.successRate, 0)}` : ''}
              {r.bakeUntil ? ` — baking until ${formatDateTime(r.bakeUntil)}` : ''}
            </p>
          </li>
        );
      })}
    </ol>
  );
}

/** The agent's reboot decision in words. */
function rebootText(r: Task['reboot']): string {
  if (!r) return '—';
  const { required, performed, reason } = r as {
    required?: boolean;
    performed?: boolean;
    reason?: string | null;
  };
  if (!required) return 'not required';
  return `${performed ? 'required and performed' : 'required, not performed'}${reason ? ` (${reason})` : ''}`;
}

/** One host's task with its log, read when shown (the pages carry no logs). */
function TaskLog({ d, t, onClose }: { d: DeploymentView; t: Task; onClose: () => void }) {
  const detail = useDeploymentTask(d.id, t.taskId, LIVE.has(d.status));
  const log = detail.data?.log;
  return (
    <aside className="panel side" aria-label={`Log of ${t.hostname}`}>
      <button type="button" className="close" onClick={onClose}>
        Close<span className="visually-hidden"> log</span>
      </button>
      <h2>
        {t.hostname} <StateBadge state={t.status} />
      </h2>
      <dl className="facts">
        <dt>Packages</dt>
        <dd>{t.packages.map((p) => `${p.name} ${p.version}`).join(', ') || '—'}</dd>
        <dt>Before</dt>
        <dd>{t.before?.map((p) => `${p.name} ${p.version ?? '(absent)'}`).join(', ') ?? '—'}</dd>
        <dt>After</dt>
        <dd>{t.after?.map((p) => `${p.name} ${p.version ?? '(absent)'}`).join(', ') ?? '—'}</dd>
        <dt>Closed findings</dt>
        <dd>{t.closedFindings.join(', ') || '—'}</dd>
        <dt>Reboot</dt>
        <dd>{rebootText(t.reboot)}</dd>
        {t.error ? (
          <>
            <dt>Error</dt>
            <dd>
              <code>{t.error.code}</code> {t.error.message}
            </dd>
          </>
        ) : null}
      </dl>
      <pre className="log" tabIndex={0} aria-label="Task log">
        {detail.isError
          ? 'The log could not be read.'
          : log === undefined
            ? 'Loading…'
            : log || '(no output yet)'}
      </pre>
    </aside>
  );
}

export function DeploymentDetail() {
  const id = Number(useParams().id);
  // The `after` of each page shown so far: back goes to the one before.
  const [pages, setPages] = useState<string[]>([]);
  const q = useDeployment(id, pages[pages.length - 1] ?? null);
  return (
    <QueryView query={q} what="the deployment">
      {(d) => (
        <DeploymentPage
          d={d}
          page={pages.length}
          onNext={d.hostsNext === null ? null : () => setPages([...pages, d.hostsNext as string])}
          onPrevious={pages.length === 0 ? null : () => setPages(pages.slice(0, -1))}
        />
      )}
    </QueryView>
  );
}

function DeploymentPage({
  d,
  page,
  onNext,
  onPrevious,
}: {
  d: DeploymentView;
  page: number;
  onNext: (() => void) | null;
  onPrevious: (() => void) | null;
}) {
  const { user } = useSession();
  const navigate = useNavigate();
  const [shown, setShown] = useState<string | null>(null);
  const steer = useSteerDeployment(d.id);
  const rollback = useRollback(d.id, { onSuccess: (r) => void navigate(`/deployments/${r.id}`) });
  const writable = canWrite(user);
  const task = d.hosts.find((t) => t.taskId === shown) ?? null;
  return (
    <>
      <p className="crumbs">
        <Link to="/deployments">Deployments</Link> /
      </p>
      <div className="page-head">
        <h1>
          Deployment {d.id} <StateBadge state={d.status} />
        </h1>
        <span className="muted small">
          {d.kind}
          {d.policy ? ` of policy ${d.policy} v${d.policyVersion}` : ''}, by {d.createdBy},{' '}
          {formatDateTime(d.createdAt)}
          {d.parentId ? (
            <>
              , rolls back <Link to={`/deployments/${d.parentId}`}>deployment {d.parentId}</Link>
            </>
          ) : null}
        </span>
      </div>
      {d.waiting ? (
        <p
          className={d.status === 'failed' || d.status === 'halted' ? 'notice notice-error' : 'notice'}
          role="status"
        >
          {LIVE.has(d.status) || d.status === 'halted' ? 'Waiting: ' : ''}
          {d.waiting}
        </p>
      ) : null}
      <div className="toolbar">
        {writable && d.status === 'running' ? (
          <button type="button" onClick={() => steer.mutate('halt')}>
            Halt
          </button>
        ) : null}
        {writable && d.status === 'halted' ? (
          <button type="button" onClick={() => steer.mutate('resume')}>
            Resume
          </button>
        ) : null}
        {writable && ['planned', 'running', 'halted'].includes(d.status) ? (
          <button type="button" onClick={() => steer.mutate('cancel')}>
            Cancel
          </button>
        ) : null}
        {writable && d.kind !== 'rollback' && d.rings.some((r) => r.succeeded > 0) ? (
          <button type="button" onClick={() => rollback.mutate(undefined)}>
            Roll back
          </button>
        ) : null}
        <a className="button" href={endpoints.deploymentRecord(d.id, 'json')} download>
          Change record (JSON)
        </a>
        <a className="button" href={endpoints.deploymentRecord(d.id, 'csv')} download>
          Change record (CSV)
        </a>
      </div>
      {steer.isError ? <ErrorNotice error={steer.error} /> : null}
      {rollback.isError ? <ErrorNotice error={rollback.error} /> : null}
      <Rings d={d} />
      <div className={task ? 'split' : undefined}>
        <DataTable
          caption="Hosts in this deployment"
          rows={d.hosts}
          rowKey={(t) => t.taskId}
          columns={[
            {
              key: 'host',
              header: 'Host',
              render: (t) => <Link to={`/hosts/${t.hostId}`}>{t.hostname}</Link>,
            },
            { key: 'ring', header: 'Ring', render: (t) => t.ring },
            { key: 'status', header: 'Status', render: (t) => <StateBadge state={t.status} /> },
            {
              key: 'log',
              header: 'Log',
              render: (t) => (
                <button type="button" className="link-button" onClick={() => setShown(t.taskId)}>
                  Show log<span className="visually-hidden"> of {t.hostname}</span>
                </button>
              ),
            },
            {
              key: 'pkgs',
              header: 'Packages',
              render: (t) => t.packages.map((p) => `${p.name} ${p.version}`).join(', '),
            },
            { key: 'closed', header: 'Closed', className: 'num', render: (t) => t.closedFindings.length },
            { key: 'finished', header: 'Finished', render: (t) => formatDateTime(t.finishedAt) },
            {
              key: 'rollback',
              header: '',
              render: (t) =>
                writable && d.kind !== 'rollback' && t.status === 'succeeded' && !t.rolledBackBy ? (
                  <button type="button" className="link-button" onClick={() => rollback.mutate(t.hostId)}>
                    Roll back<span className="visually-hidden"> {t.hostname}</span>
                  </button>
                ) : t.rolledBackBy ? (
                  <span className="muted small">rolled back</span>
                ) : null,
            },
          ]}
        />
        {task ? <TaskLog d={d} t={task} onClose={() => setShown(null)} /> : null}
      </div>
      {onNext || onPrevious ? (
        <nav className="toolbar" aria-label="Pages of hosts">
          <span className="small muted">
            Page {page + 1}: {d.hosts.length} of {d.hostsTotal} hosts
          </span>
          <button type="button" disabled={!onPrevious} onClick={() => onPrevious?.()}>
            Previous page
          </button>
          <button type="button" disabled={!onNext} onClick={() => onNext?.()}>
            Next page
          </button>
        </nav>
      ) : null}
      {d.notDeployable.length > 0 ? (
        <section className="panel" aria-labelledby="not-deployable-title">
          <h2 id="not-deployable-title">Not deployable ({d.notDeployable.length})</h2>
          <p className="small">
            These hosts are governed but cannot run a deployment; nothing is sent to them.
          </p>
          <ul className="plain">
            {d.notDeployable.map((x) => (
              <li key={x.hostId}>
                <Link to={`/hosts/${x.hostId}`}>{x.hostname}</Link>: {x.reason}
              </li>
            ))}
          </ul>
        </section>
      ) : null}
      {d.approvals.length > 0 ? (
        <section className="panel" aria-labelledby="approvals-title">
          <h2 id="approvals-title">Approvals and changes</h2>
          <ul className="plain">
            {d.approvals.map((a, i) => (
              <li key={i}>
                {formatDateTime(a.at)} — {a.actor}: {a.action}
              </li>
            ))}
          </ul>
        </section>
      ) : null}
    </>
  );
}
