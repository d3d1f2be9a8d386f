/** Settings → Users and roles, API tokens (administrators). */
import { ROLES } from '@patchloop/core/vocabulary';
import { useState, type FormEvent } from 'react';
import {
  useAddUser,
  useChangeUser,
  useCreateToken,
  useResetPassword,
  useRevokeToken,
  useTokens,
  useUsers,
} from '../../api/admin.js';
import { DataTable } from '../../components/DataTable.js';
import { formatDateTime, formatRelative } from '../../components/format.js';
import { QueryView } from '../../components/QueryView.js';
import { ErrorNotice } from '../../components/states.js';

const ROLE_OPTIONS = ROLES.map((r) => <option key={r}>{r}</option>);

export function Users() {
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
