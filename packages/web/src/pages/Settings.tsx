/** Settings: feeds and their last sync, enrollment, users and roles, API tokens, risk and SLA. */
import type { Enrollment, FeedStatusList, RiskSettingsView } from '@patchloop/contracts';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../api/client.js';
import { canWrite, useSession } from '../auth/session.js';
import { StateBadge } from '../components/badges.js';
import { DataTable } from '../components/DataTable.js';
import { formatDateTime, formatRelative } from '../components/format.js';
import { Empty, ErrorNotice, Loading } from '../components/states.js';
import { Tokens, Users } from './SettingsAccess.js';

type Running = NonNullable<FeedStatusList['items'][number]['running']>;

/** A sync or import in progress: its phase, records and bytes so far. */
function runningText(r: Running): string {
  const mib = (r.bytes / 2 ** 20).toFixed(1);
  return `${r.kind === 'import' ? 'importing' : 'syncing'} (${r.phase}): ${r.records.toLocaleString('en-US')} records, ${mib} MiB`;
}

function Feeds() {
  const { user } = useSession();
  const qc = useQueryClient();
  const q = useQuery({
    queryKey: ['feeds'],
    queryFn: () => api.get<FeedStatusList>('/api/v1/feeds'),
    // Faster while a sync runs, to follow its progress.
    refetchInterval: (query) => (query.state.data?.items.some((f) => f.running) ? 2_000 : 10_000),
  });
  const sync = useMutation({
    mutationFn: () => api.post<{ queued: boolean }>('/api/v1/feeds/sync', {}),
    onSuccess: () => void qc.invalidateQueries({ queryKey: ['feeds'] }),
  });
  return (
    <section className="panel" aria-labelledby="feeds-title">
      <h2 id="feeds-title">Feeds</h2>
      {q.isPending ? (
        <Loading what="feed status" />
      ) : q.isError ? (
        <ErrorNotice error={q.error} />
      ) : q.data.items.length === 0 ? (
        <Empty title="No feed synced yet">
          <p>
            Advisories arrive with the first sync. Without internet access, point PATCHLOOP_FEED_MIRROR at a
            directory of feed files.
          </p>
        </Empty>
      ) : (
        <DataTable
          caption="Feed status"
          rows={q.data.items}
          rowKey={(f) => f.source}
          maxHeight="none"
          columns={[
            { key: 'source', header: 'Source', render: (f) => f.source },
            {
              key: 'records',
              header: 'Records',
              className: 'num',
              render: (f) => f.records.toLocaleString('en-US'),
            },
            {
              key: 'status',
              header: 'Last run',
              render: (f) => (f.lastStatus ? <StateBadge state={f.lastStatus} /> : '—'),
            },
            {
              key: 'running',
              header: 'Now',
              render: (f) => (f.running ? <span role="status">{runningText(f.running)}</span> : '—'),
            },
            { key: 'success', header: 'Last success', render: (f) => formatRelative(f.lastSuccess) },
            { key: 'import', header: 'Last import', render: (f) => formatDateTime(f.lastImport) },
            {
              key: 'error',
              header: 'Last error',
              render: (f) =>
                f.lastError ? (
                  <span
                    className="clip"
                    title={f.lastError}
                  >{`${f.lastErrorCode ?? ''} ${f.lastError}`}</span>
                ) : (
                  '—'
                ),
            },
          ]}
        />
      )}
      {canWrite(user) ? (
        <p>
          <button type="button" onClick={() => sync.mutate()} disabled={sync.isPending}>
            Sync feeds now
          </button>{' '}
          {sync.isSuccess ? <span role="status">Sync queued.</span> : null}
        </p>
      ) : null}
      {sync.isError ? <ErrorNotice error={sync.error} /> : null}
    </section>
  );
}

function EnrollmentPanel() {
  const qc = useQueryClient();
  const q = useQuery({
    queryKey: ['enrollment'],
    queryFn: () => api.get<Enrollment>('/api/v1/settings/enrollment'),
  });
  const rotate = useMutation({
    mutationFn: () => api.post<Enrollment>('/api/v1/settings/enrollment/rotate'),
    onSuccess: (data) => qc.setQueryData(['enrollment'], data),
  });
  const confirmRotate = () => {
    if (
      window.confirm(
        'Rotate the enrollment secret? Machines not yet enrolled will need the new command; enrolled agents keep working.',
      )
    )
      rotate.mutate();
  };
  return (
    <section className="panel" aria-labelledby="enroll-title">
      <h2 id="enroll-title">Enrollment</h2>
      {q.isPending ? (
        <Loading what="the enrollment secret" />
      ) : q.isError ? (
        <ErrorNotice error={q.error} />
      ) : (
        <>
          {q.data.install ? <InstallAgent install={q.data.install} /> : null}
          {q.data.secret !== null ? (
            <p>
              Enrollment secret: <code aria-label="Enrollment secret">{q.data.secret}</code>
            </p>
          ) : null}
          {q.data.secretNote ? <p className="small">{q.data.secretNote}</p> : null}
          <p>From a clone of the Patchloop repository (or this server itself):</p>
          <pre className="command" aria-label="Enrollment command">
            {q.data.command}
          </pre>
          <div className="toolbar">
            <button type="button" onClick={confirmRotate} disabled={rotate.isPending}>
              Rotate and show the new secret
            </button>
            <span className="small muted">
              The new secret is shown once (only its hash is kept); the old one stops working for new
              enrollments; enrolled agents keep their credentials.
            </span>
          </div>
          {rotate.isSuccess ? <p role="status">New enrollment secret in force.</p> : null}
          {rotate.isError ? <ErrorNotice error={rotate.error} /> : null}
        </>
      )}
    </section>
  );
}

/** The one-line installer for another machine, and what this server still lacks for it. */
function InstallAgent({ install }: { install: NonNullable<Enrollment['install']> }) {
  return (
    <>
      <p>Install the agent on another Linux machine (systemd, glibc 2.28 or later) and enroll it, as root:</p>
      <pre className="command" aria-label="Installer command">
        {install.command}
      </pre>
      {install.notes.length > 0 ? (
        <div role="note" aria-label="What a remote machine needs">
          <p>Before other machines can use it:</p>
          <ul>
            {install.notes.map((n) => (
              <li key={n}>{n}</li>
            ))}
          </ul>
        </div>
      ) : null}
      {install.files.length > 0 ? (
        <p className="small">
          The same agent as a package:{' '}
          {install.files.map((f, i) => (
            <span key={f}>
              {i > 0 ? ', ' : null}
              <a href={`${install.server}/downloads/${f}`}>{f}</a>
            </span>
          ))}
          . Install it, set PATCHLOOP_SERVER and PATCHLOOP_ENROLL_SECRET in{' '}
          <code>/etc/patchloop-agent.env</code>, then run <code>systemctl enable --now patchloop-agent</code>.
        </p>
      ) : null}
      <p className="small muted">
        Remove the agent: the same installer with <code>--uninstall</code>, or remove the package.
      </p>
    </>
  );
}

function Risk() {
  const q = useQuery({
    queryKey: ['risk-settings'],
    queryFn: () => api.get<RiskSettingsView>('/api/v1/settings/risk'),
  });
  if (q.isPending) return <Loading what="risk settings" />;
  if (q.isError) return <ErrorNotice error={q.error} />;
  return (
    <section className="panel" aria-labelledby="risk-title">
      <h2 id="risk-title">SLA</h2>
      <p>
        Due within{' '}
        {Object.entries(q.data.sla.days)
          .map(([p, d]) => `${p} ${d} days`)
          .join(', ')}
        ; "due soon" from {q.data.sla.dueSoonDays} days before. Change with{' '}
        <code>PUT /api/v1/settings/risk</code>.
      </p>
    </section>
  );
}

export function Settings() {
  const { user } = useSession();
  const isAdmin = user?.role === 'admin';
  return (
    <>
      <div className="page-head">
        <h1>Settings</h1>
      </div>
      <Feeds />
      <Risk />
      {isAdmin ? (
        <>
          <EnrollmentPanel />
          <Users />
          <Tokens />
        </>
      ) : (
        <p className="muted">Users, API tokens and the enrollment secret are managed by administrators.</p>
      )}
    </>
  );
}
