/**
 * A host's end of life on its page: retire (kept for history, out of current
 * figures, its agent stops) or reinstate, and delete (admins; everything but
 * the audit log is removed), each after a confirmation.
 */
import type { Host } from '@patchloop/contracts';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useNavigate } from 'react-router';
import { api } from '../api/client.js';
import { canWrite, useSession } from '../auth/session.js';
import { formatDateTime } from '../components/format.js';
import { ErrorNotice } from '../components/states.js';

export function HostLifecycle({ h }: { h: Host }) {
  const { user } = useSession();
  const qc = useQueryClient();
  const navigate = useNavigate();
  const [reason, setReason] = useState('');
  const [confirming, setConfirming] = useState<'retire' | 'delete' | null>(null);
  const done = (data: Host) => {
    setConfirming(null);
    qc.setQueryData(['host', h.id], data);
    void qc.invalidateQueries();
  };
  const retire = useMutation({
    mutationFn: () => api.post<Host>(`/api/v1/hosts/${h.id}/retire`, reason.trim() ? { reason } : {}),
    onSuccess: done,
  });
  const reinstate = useMutation({
    mutationFn: () => api.post<Host>(`/api/v1/hosts/${h.id}/reinstate`),
    onSuccess: done,
  });
  const remove = useMutation({
    mutationFn: () => api.del<void>(`/api/v1/hosts/${h.id}`),
    onSuccess: () => {
      void qc.invalidateQueries();
      void navigate('/hosts');
    },
  });
  const error = retire.error ?? reinstate.error ?? remove.error;
  return (
    <section aria-label="Host lifecycle">
      {h.retired ? (
        <p className="notice" role="status">
          Retired {formatDateTime(h.retired.at)} by {h.retired.by}
          {h.retired.reason ? ` (${h.retired.reason})` : ''}: kept for history, left out of current figures;
          its agent is refused.
        </p>
      ) : null}
      {canWrite(user) ? (
        <div className="toolbar">
          {h.retired ? (
            <button type="button" disabled={reinstate.isPending} onClick={() => reinstate.mutate()}>
              Reinstate host
            </button>
          ) : (
            <button type="button" onClick={() => setConfirming('retire')}>
              Retire host…
            </button>
          )}
          {user?.role === 'admin' ? (
            <button type="button" onClick={() => setConfirming('delete')}>
              Delete host…
            </button>
          ) : null}
        </div>
      ) : null}
      {confirming === 'retire' ? (
        <div className="panel" role="group" aria-label={`Confirm retiring ${h.hostname}`}>
          <p>
            Retire {h.hostname}? It stays in history, the audit log and reports, but leaves the host list,
            dashboard, compliance, findings, policies and deployments; its queued deployment tasks are skipped
            and its agent stops at its next check-in.
          </p>
          <label>
            Reason (optional){' '}
            <input value={reason} maxLength={500} onChange={(e) => setReason(e.target.value)} />
          </label>
          <div className="toolbar">
            <button type="button" disabled={retire.isPending} onClick={() => retire.mutate()}>
              Retire {h.hostname}
            </button>
            <button type="button" onClick={() => setConfirming(null)}>
              Cancel
            </button>
          </div>
        </div>
      ) : null}
      {confirming === 'delete' ? (
        <div className="panel" role="group" aria-label={`Confirm deleting ${h.hostname}`}>
          <p>
            Delete {h.hostname} for good? Its inventory, findings, credential, host exceptions and deployment
            tasks are removed; only the audit log keeps it. To keep its history, retire it instead.
          </p>
          <div className="toolbar">
            <button type="button" disabled={remove.isPending} onClick={() => remove.mutate()}>
              Delete {h.hostname}
            </button>
            <button type="button" onClick={() => setConfirming(null)}>
              Cancel
            </button>
          </div>
        </div>
      ) : null}
      {error ? <ErrorNotice error={error} /> : null}
    </section>
  );
}
