/**
 * The account menu in the top bar: who is signed in, changing one's own
 * password (the current one is needed; other sessions end).
 */
import { useState, type FormEvent } from 'react';
import { useChangeOwnPassword } from '../api/admin.js';
import { useSession } from '../auth/session.js';
import { ErrorNotice } from './states.js';

export function AccountMenu() {
  const { user } = useSession();
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const change = useChangeOwnPassword({
    onSuccess: () => {
      setCurrent('');
      setNext('');
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    change.mutate({ currentPassword: current, newPassword: next });
  };
  return (
    <details className="account">
      <summary>
        {user?.username} <span className="muted">({user?.role})</span>
      </summary>
      <div className="account-panel">
        <form onSubmit={submit} aria-label="Change your password">
          <label>
            Current password{' '}
            <input
              type="password"
              value={current}
              onChange={(e) => setCurrent(e.target.value)}
              required
              autoComplete="current-password"
            />
          </label>
          <label>
            New password (12 characters or more){' '}
            <input
              type="password"
              value={next}
              onChange={(e) => setNext(e.target.value)}
              required
              minLength={12}
              autoComplete="new-password"
            />
          </label>
          <button type="submit" disabled={change.isPending}>
            Change password
          </button>
        </form>
        {change.isSuccess ? (
          <p role="status">Password changed; your other sessions were signed out.</p>
        ) : null}
        {change.isError ? <ErrorNotice error={change.error} /> : null}
      </div>
    </details>
  );
}
