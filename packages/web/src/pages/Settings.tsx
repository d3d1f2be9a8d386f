/** Settings: feeds and their last sync, enrollment, users and roles, API tokens, risk and SLA. */
import type { Enrollment, FeedStatusList, RiskSettingsView, TokenInfo, UserInfo } from '@patchloop/contracts';
import type { Static } from 'typebox';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { api } from '../api/client.js';
import { canWrite, useSession } from '../auth/session.js';
import { StateBadge } from '../components/badges.js';
import { DataTable } from '../components/DataTable.js';
import { formatDateTime, formatRelative } from '../components/format.js';
import { Empty, ErrorNotice, Loading } from '../components/states.js';

type Token = Static<typeof TokenInfo>;
type Running = NonNullable<FeedStatusList['items'][number]['running']>;

/** A sync or import in progress: its phase, records and bytes so far. */
function runningText(r: Running): string {
  const mib = (r.bytes / 2 ** 20).toFixed(1);
  return `${r.kind === 'import' ? 'importing' : 'syncing'} (${r.phase}): ${r.records.toLocaleString('en-US')} records, ${mib} MiB`;
}
type User = Static<typeof UserInfo>;

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

function Users() {
  const qc = useQueryClient();
  const q = useQuery({ queryKey: ['users'], queryFn: () => api.get<{ items: User[] }>('/api/v1/users') });
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [role, setRole] = useState('operator');
  const add = useMutation({
    mutationFn: () => api.post<User>('/api/v1/users', { username, password, role }),
    onSuccess: () => {
      setUsername('');
      setPassword('');
      void qc.invalidateQueries({ queryKey: ['users'] });
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    add.mutate();
  };
  const change = useMutation({
    mutationFn: (c: { username: string; role?: string; disabled?: boolean }) =>
      api.patch<User>(`/api/v1/users/${encodeURIComponent(c.username)}`, {
        ...(c.role !== undefined ? { role: c.role } : {}),
        ...(c.disabled !== undefined ? { disabled: c.disabled } : {}),
      }),
    onSuccess: () => void qc.invalidateQueries({ queryKey: ['users'] }),
  });
  const reset = useMutation({
    mutationFn: (name: string) =>
      api.post<{ username: string; password: string | null }>(
        `/api/v1/users/${encodeURIComponent(name)}/password`,
      ),
  });
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
      {q.isPending ? (
        <Loading what="users" />
      ) : q.isError ? (
        <ErrorNotice error={q.error} />
      ) : (
        <DataTable
          caption="Users"
          rows={q.data.items}
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
  const qc = useQueryClient();
  const q = useQuery({ queryKey: ['tokens'], queryFn: () => api.get<{ items: Token[] }>('/api/v1/tokens') });
  const [name, setName] = useState('');
  const [role, setRole] = useState('auditor');
  const [days, setDays] = useState('90');
  const create = useMutation({
    mutationFn: () =>
      api.post<{ token: string }>('/api/v1/tokens', {
        name,
        role,
        ...(days ? { expiresInDays: Number(days) } : {}),
      }),
    onSuccess: () => {
      setName('');
      void qc.invalidateQueries({ queryKey: ['tokens'] });
    },
  });
  const revoke = useMutation({
    mutationFn: (id: number) => api.del(`/api/v1/tokens/${id}`),
    onSuccess: () => void qc.invalidateQueries({ queryKey: ['tokens'] }),
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    create.mutate();
  };
  const rows = q.data?.items.filter((t) => !t.name.startsWith('session:')) ?? [];
  return (
    <section className="panel" aria-labelledby="tokens-title">
      <h2 id="tokens-title">API tokens</h2>
      {q.isPending ? (
        <Loading what="tokens" />
      ) : q.isError ? (
        <ErrorNotice error={q.error} />
      ) : (
        <DataTable
          caption="API tokens"
          rows={rows}
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
