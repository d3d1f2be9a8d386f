/**
 * Admins issue a one-time enrollment token for a host whose agent lost its
 * credential (a reinstalled machine with the same machine id): the shared
 * enrollment secret only creates new hosts, so re-enrolling this one needs
 * the token. Shown once; single use; it expires.
 */
import { useIssueHostEnrollToken } from '../../api/hosts.js';
import type { Host } from '../../api/types.js';
import { useSession } from '../../auth/session.js';
import { formatDateTime } from '../../components/format.js';
import { ErrorNotice } from '../../components/states.js';

export function HostEnrollToken({ h }: { h: Host }) {
  const { user } = useSession();
  const issue = useIssueHostEnrollToken(h.id);
  if (user?.role !== 'admin' || h.retired || h.transport === 'import') return null;
  return (
    <section aria-label="Re-enrollment">
      <div className="toolbar">
        <button type="button" disabled={issue.isPending} onClick={() => issue.mutate()}>
          Enrollment token…
        </button>
      </div>
      {issue.data ? (
        <p className="notice" role="status">
          One-time enrollment token for {h.hostname} (shown once, valid until{' '}
          {formatDateTime(issue.data.expiresAt)}): <code className="secret">{issue.data.token}</code>. Start
          the host&apos;s agent with <code>--host-token {issue.data.token}</code> (or{' '}
          <code>PATCHLOOP_HOST_TOKEN</code>) besides the enrollment secret: it takes this host back and its
          current credential stops working. An earlier unused token no longer works.
        </p>
      ) : null}
      {issue.error ? <ErrorNotice error={issue.error} /> : null}
    </section>
  );
}
