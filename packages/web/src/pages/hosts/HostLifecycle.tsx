/**
 * A host's end of life on its page: retire (kept for history, out of current
 * figures, its agent stops) or reinstate, and delete (admins; everything but
 * the audit log is removed), each after a confirmation.
 */
import { useState, type ReactNode } from 'react';
import { useNavigate } from 'react-router';
import { useDeleteHost, useReinstateHost, useRetireHost } from '../../api/hosts.js';
import type { Host } from '../../api/types.js';
import { canWrite, useSession } from '../../auth/session.js';
import { formatDateTime } from '../../components/format.js';
import { ErrorNotice } from '../../components/states.js';

/** A confirmation: what will happen, the button that does it, and Cancel. */
function Confirm({
  label,
  action,
  busy,
  onConfirm,
  onCancel,
  children,
}: {
  label: string;
  action: string;
  busy: boolean;
  onConfirm: () => void;
  onCancel: () => void;
  children: ReactNode;
}) {
  return (
    <div className="panel" role="group" aria-label={label}>
      {children}
      <div className="toolbar">
        <button type="button" disabled={busy} onClick={onConfirm}>
          {action}
        </button>
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </div>
  );
}

export function HostLifecycle({ h }: { h: Host }) {
  const { user } = useSession();
  const navigate = useNavigate();
  const [reason, setReason] = useState('');
  const [confirming, setConfirming] = useState<'retire' | 'delete' | null>(null);
  const done = () => setConfirming(null);
  const retire = useRetireHost(h.id, { onSuccess: done });
  const reinstate = useReinstateHost(h.id, { onSuccess: done });
  const remove = useDeleteHost(h.id, { onSuccess: () => void navigate('/hosts') });
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
        <Confirm
          label={`Confirm retiring ${h.hostname}`}
          action={`Retire ${h.hostname}`}
          busy={retire.isPending}
          onConfirm={() => retire.mutate(reason)}
          onCancel={() => setConfirming(null)}
        >
          <p>
            Retire {h.hostname}? It stays in history, the audit log and reports, but leaves the host list,
            dashboard, compliance, findings, policies and deployments; its queued deployment tasks are skipped
            and its agent stops at its next check-in.
          </p>
          <label>
            Reason (optional){' '}
            <input value={reason} maxLength={500} onChange={(e) => setReason(e.target.value)} />
          </label>
        </Confirm>
      ) : null}
      {confirming === 'delete' ? (
        <Confirm
          label={`Confirm deleting ${h.hostname}`}
          action={`Delete ${h.hostname}`}
          busy={remove.isPending}
          onConfirm={() => remove.mutate()}
          onCancel={() => setConfirming(null)}
        >
          <p>
            Delete {h.hostname} for good? Its inventory, findings, credential, host exceptions and deployment
            tasks are removed; only the audit log keeps it. To keep its history, retire it instead.
          </p>
        </Confirm>
      ) : null}
      {error ? <ErrorNotice error={error} /> : null}
    </section>
  );
}
