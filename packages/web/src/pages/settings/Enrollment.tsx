/** Settings → Enrollment: the command and secret that enroll agents, its rotation, the installer. */
import { useEnrollment, useRotateEnrollment } from '../../api/admin.js';
import type { Enrollment } from '../../api/types.js';
import { QueryView } from '../../components/QueryView.js';
import { ErrorNotice } from '../../components/states.js';

export function EnrollmentPanel() {
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
