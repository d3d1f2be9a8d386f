/** Settings: feeds and their last sync, enrollment, users and roles, API tokens, risk and SLA. */
import { useState, type FormEvent } from 'react';
import {
  useAddUser,
  useChangeUser,
  useCreateToken,
  useEnrollment,
  useFeeds,
  useResetPassword,
  useRevokeToken,
  useRiskSettings,
  useRotateEnrollment,
  useSyncFeeds,
  useTokens,
  useUsers,
} from '../api/admin.js';
import type { Enrollment, FeedStatus, FeedStatusList } from '../api/types.js';
import { canWrite, useSession } from '../auth/session.js';
import { StateBadge } from '../components/badges.js';
import { DataTable, type Column } from '../components/DataTable.js';
import { formatDateTime, formatRelative } from '../components/format.js';
import { noItems, QueryView } from '../components/QueryView.js';
import { Empty, ErrorNotice } from '../components/states.js';

type Running = NonNullable<FeedStatusList['items'][number]['running']>;

/** A sync or import in progress: its phase, records and bytes so far. */
function runningText(r: Running): string {
  const mib = (r.bytes / 2 ** 20).toFixed(1);
  return `${r.kind === 'import' ? 'importing' : 'syncing'} (${r.phase}): ${r.records.toLocaleString('en-US')} records, ${mib} MiB`;
}

const FEED_COLUMNS: Column<FeedStatus>[] = [
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
        <span className="clip" title={f.lastError}>{`${f.lastErrorCode ?? ''} ${f.lastError}`}</span>
      ) : (
        '—'
      ),
  },
];

function Feeds() {
  const { user } = useSession();
  const q = useFeeds();
  const sync = useSyncFeeds();
  return (
    <section className="panel" aria-labelledby="feeds-title">
      <h2 id="feeds-title">Feeds</h2>
      <QueryView
        query={q}
        what="feed status"
        isEmpty={noItems}
        empty={
          <Empty title="No feed synced yet">
            <p>
              Advisories arrive with the first sync. Without internet access, point PATCHLOOP_FEED_MIRROR at a
              directory of feed files.
            </p>
          </Empty>
        }
      >
        {(d) => (
          <DataTable
            caption="Feed status"
            rows={d.items}
            rowKey={(f) => f.source}
            maxHeight="none"
            columns={FEED_COLUMNS}
          />
        )}
      </QueryView>
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
  const q = useEnrollment();
  const rotate = useRotateEnrollment();
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
      <QueryView query={q} what="the enrollment secret">
        {(e) => (
          <>
            {e.install ? <InstallAgent install={e.install} /> : null}
            {e.secret !== null ? (
              <p>
                Enrollment secret: <code aria-label="Enrollment secret">{e.secret}</code>
              </p>
            ) : null}
            {e.secretNote ? <p className="small">{e.secretNote}</p> : null}
            <p>From a clone of the Patchloop repository (or this server itself):</p>
            <pre className="command" aria-label="Enrollment command">
              {e.command}
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
      </QueryView>
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

function Users() {
  const q = useUsers();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [role, setRole] = useState('operator');
  const add = useAddUser({
    onSuccess: () => {
      setUsername('');
      setPassword('');
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    add.mutate({ username, password, role });
  };
  const change = useChangeUser();
  const reset = useResetPassword();
  const confirmReset = (name: string) => {
    if (window.confirm(`Reset the password of ${name}? Its sessions end; a new password is shown once.`))
      reset.mutate(name);
  };
  return (
    <section className="panel" aria-labelledby="users-title">
      <h2 id="users-title">Users and roles</h2>
      <p className="small muted">
        admin: everything; operator: changes hosts, policies, exceptions and deployments; auditor: reads
        everything.
      </p>
      <QueryView query={q} what="users">
        {(d) => (
          <DataTable
            caption="Users"
            rows={d.items}
            rowKey={(u) => u.id}
            maxHeight="none"
            columns={[
              { key: 'name', header: 'User', render: (u) => u.username },
              {
                key: 'role',
                header: 'Role',
                render: (u) => (
                  <select
                    aria-label={`Role of ${u.username}`}
                    value={u.role}
                    disabled={change.isPending}
                    onChange={(e) => change.mutate({ username: u.username, role: e.target.value })}
                  >
                    <option>admin</option>
                    <option>operator</option>
                    <option>auditor</option>
                  </select>
                ),
              },
              { key: 'created', header: 'Created', render: (u) => formatDateTime(u.createdAt) },
              { key: 'state', header: 'State', render: (u) => (u.disabledAt ? 'disabled' : 'active') },
              {
                key: 'actions',
                header: 'Actions',
                render: (u) => (
                  <span className="toolbar">
                    <button
                      type="button"
                      disabled={change.isPending}
                      onClick={() => change.mutate({ username: u.username, disabled: u.disabledAt === null })}
                    >
                      {u.disabledAt ? `Enable ${u.username}` : `Disable ${u.username}`}
                    </button>
                    <button type="button" disabled={reset.isPending} onClick={() => confirmReset(u.username)}>
                      Reset password of {u.username}
                    </button>
                  </span>
                ),
              },
            ]}
          />
        )}
      </QueryView>
      {change.isError ? <ErrorNotice error={change.error} /> : null}
      {reset.isError ? <ErrorNotice error={reset.error} /> : null}
      {reset.data?.password ? (
        <p role="status">
          New password of {reset.data.username} (shown once): <code>{reset.data.password}</code>
        </p>
      ) : null}
      <form className="toolbar" onSubmit={submit} aria-label="Add a user">
        <label className="inline">
          New user{' '}
          <input
            value={username}
            onChange={(e) => setUsername(e.target.value)}
            required
            pattern="[a-z][a-z0-9_.\-]{1,63}"
          />
        </label>
        <label className="inline">
          Initial password{' '}
          <input
            type="password"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            required
            minLength={12}
            autoComplete="new-password"
          />
        </label>
        <label className="inline">
          Role{' '}
          <select value={role} onChange={(e) => setRole(e.target.value)}>
            <option>admin</option>
            <option>operator</option>
            <option>auditor</option>
          </select>
        </label>
        <button type="submit" disabled={add.isPending}>
          Add user
        </button>
      </form>
      {add.isError ? <ErrorNotice error={add.error} /> : null}
    </section>
  );
}

function Tokens() {
  const q = useTokens();
  const [name, setName] = useState('');
  const [role, setRole] = useState('auditor');
  const [days, setDays] = useState('90');
  const create = useCreateToken({ onSuccess: () => setName('') });
  const revoke = useRevokeToken();
  const submit = (e: FormEvent) => {
    e.preventDefault();
    create.mutate({ name, role, ...(days ? { expiresInDays: Number(days) } : {}) });
  };
  return (
    <section className="panel" aria-labelledby="tokens-title">
      <h2 id="tokens-title">API tokens</h2>
      <QueryView query={q} what="tokens">
        {(d) => (
          <DataTable
            caption="API tokens"
            rows={d.items.filter((t) => !t.name.startsWith('session:'))}
            rowKey={(t) => t.id}
            maxHeight="none"
            columns={[
              { key: 'name', header: 'Name', render: (t) => t.name },
              { key: 'role', header: 'Role', render: (t) => t.role },
              { key: 'by', header: 'Created by', render: (t) => t.createdBy },
              { key: 'used', header: 'Last used', render: (t) => formatRelative(t.lastUsedAt) },
              { key: 'expires', header: 'Expires', render: (t) => formatDateTime(t.expiresAt) },
              {
                key: 'revoke',
                header: '',
                render: (t) =>
                  t.revokedAt ? (
                    'revoked'
                  ) : (
                    <button type="button" className="link-button" onClick={() => revoke.mutate(t.id)}>
                      Revoke<span className="visually-hidden"> token {t.name}</span>
                    </button>
                  ),
              },
            ]}
          />
        )}
      </QueryView>
      <form className="toolbar" onSubmit={submit} aria-label="Create an API token">
        <label className="inline">
          Token name <input value={name} onChange={(e) => setName(e.target.value)} required maxLength={128} />
        </label>
        <label className="inline">
          Role{' '}
          <select value={role} onChange={(e) => setRole(e.target.value)}>
            <option>admin</option>
            <option>operator</option>
            <option>auditor</option>
          </select>
        </label>
        <label className="inline">
          Expires in days{' '}
          <input value={days} onChange={(e) => setDays(e.target.value)} inputMode="numeric" size={5} />
        </label>
        <button type="submit" disabled={create.isPending}>
          Create token
        </button>
      </form>
      {create.data ? (
        <div className="notice" role="status">
          Copy the token now; it is not shown again: <code className="secret">{create.data.token}</code>
        </div>
      ) : null}
      {create.isError ? <ErrorNotice error={create.error} /> : null}
    </section>
  );
}

function Risk() {
  const q = useRiskSettings();
  return (
    <QueryView query={q} what="risk settings">
      {(r) => (
        <section className="panel" aria-labelledby="risk-title">
          <h2 id="risk-title">SLA</h2>
          <p>
            Due within{' '}
            {Object.entries(r.sla.days)
              .map(([p, d]) => `${p} ${d} days`)
              .join(', ')}
            ; "due soon" from {r.sla.dueSoonDays} days before. Change with{' '}
            <code>PUT /api/v1/settings/risk</code>.
          </p>
        </section>
      )}
    </QueryView>
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
