/** What can be done with one finding: explain it, and (for those who may) request an exception for it. */
import type { Finding } from '../api/types.js';
import { Link } from 'react-router';
import { canWrite, useSession } from '../auth/session.js';

/** The exceptions page with its request form open, scoped to this finding's advisory, package and host. */
export function requestExceptionHref(f: Pick<Finding, 'advisory' | 'package' | 'hostId'>): string {
  const q = new URLSearchParams({
    request: '1',
    advisory: f.advisory.id,
    package: f.package,
    hostId: String(f.hostId),
  });
  return `/exceptions?${q.toString()}`;
}

/** "Request exception" (or, compact, "Exception" in a row's actions: the same accessible name). */
export function RequestException({ f, compact = false }: { f: Finding; compact?: boolean }) {
  const { user } = useSession();
  if (!canWrite(user) || f.resolvedAt !== null) return null;
  return (
    <Link to={requestExceptionHref(f)}>
      {compact ? <span className="visually-hidden">Request </span> : 'Request '}
      {compact ? 'Exception' : 'exception'}
      <span className="visually-hidden">
        {' '}
        for {f.advisory.id} on {f.hostname}
      </span>
    </Link>
  );
}
