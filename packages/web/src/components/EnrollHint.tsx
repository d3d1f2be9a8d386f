/** The empty fleet's next step: the exact command that enrolls an agent, with the secret. */
import { useEnrollment } from '../api/admin.js';
import { useSession } from '../auth/session.js';
import { Empty } from './states.js';

export function EnrollHint() {
  const { user } = useSession();
  const isAdmin = user?.role === 'admin';
  const q = useEnrollment(isAdmin);
  return (
    <Empty title="No hosts yet">
      {isAdmin ? (
        <>
          {q.data?.install ? (
            <>
              <p>Install the agent on another machine and enroll it, as root:</p>
              <pre className="command" aria-label="Installer command">
                {q.data.install.command}
              </pre>
              {q.data.install.notes.length > 0 ? (
                <p className="small">Settings → Enrollment says what this server still needs for that.</p>
              ) : null}
            </>
          ) : null}
          {q.data?.secretNote ? <p className="small">{q.data.secretNote}</p> : null}
          <p>Or enroll with the agent from a clone of Patchloop:</p>
          <pre className="command" aria-label="Enrollment command">
            {q.data?.command ?? 'Loading…'}
          </pre>
        </>
      ) : (
        <p>Ask an administrator for the enrollment command (Settings → Enrollment).</p>
      )}
      <p className="muted small">
        Machines you reach over SSH can be added without an agent:{' '}
        <code>PATCHLOOP_ENROLL_SECRET=… patchloop agent --ssh user@host --server …</code>
      </p>
    </Empty>
  );
}
