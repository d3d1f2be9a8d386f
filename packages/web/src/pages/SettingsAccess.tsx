/** Settings, access: users and their roles, API tokens. */
import type { TokenInfo, UserInfo } from '@patchloop/contracts';
import type { Static } from 'typebox';
import { ROLES } from '@patchloop/core/vocabulary';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { api } from '../api/client.js';
import { DataTable } from '../components/DataTable.js';
import { formatDateTime, formatRelative } from '../components/format.js';
import { ErrorNotice, Loading } from '../components/states.js';

type Token = Static<typeof TokenInfo>;
type User = Static<typeof UserInfo>;

const ROLE_OPTIONS = ROLES.map((r) => <option key={r}>{r}</option>);

export function Users() {
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
                  {ROLE_OPTIONS}
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
            {ROLE_OPTIONS}
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

export function Tokens() {
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
            {ROLE_OPTIONS}
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
