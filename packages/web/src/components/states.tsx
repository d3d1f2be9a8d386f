/** Loading, error and empty states: every list says what is happening and what to do next. */
import type { ReactNode } from 'react';
import { ApiError } from '../api/client.js';

export function Loading({ what }: { what: string }) {
  return (
    <p className="muted" role="status" aria-live="polite">
      Loading {what}…
    </p>
  );
}

export function ErrorNotice({ error }: { error: unknown }) {
  const message = error instanceof Error ? error.message : String(error);
  const code = error instanceof ApiError ? error.code : null;
  return (
    <div className="notice notice-error" role="alert">
      <strong>Something went wrong.</strong> {message}
      {code ? <code className="code-tag">{code}</code> : null}
    </div>
  );
}

export function Empty({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className="empty">
      <h3>{title}</h3>
      {children}
    </div>
  );
}
