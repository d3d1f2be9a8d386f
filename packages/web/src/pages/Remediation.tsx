/** The updates that remove the most risk: "update X closes N findings on M hosts". */
import type { RemediationList } from '@patchloop/contracts';
import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import { api } from '../api/client.js';
import { SeverityBadge } from '../components/badges.js';
import { formatPercent } from '../components/format.js';
import { Empty, ErrorNotice, Loading } from '../components/states.js';

export function Remediation() {
  const q = useQuery({
    queryKey: ['remediations'],
    queryFn: () => api.get<RemediationList>('/api/v1/remediations', { limit: 50 }),
  });
  return (
    <>
      <div className="page-head">
        <h1>Remediation</h1>
        <span className="muted">updates ranked by the risk they remove</span>
      </div>
      {q.isPending ? (
        <Loading what="remediations" />
      ) : q.isError ? (
        <ErrorNotice error={q.error} />
      ) : q.data.items.length === 0 ? (
        <Empty title="Nothing to remediate">
          <p>No open finding has a fix available.</p>
        </Empty>
      ) : (
        <ol className="remediations">
          {q.data.items.map((r) => (
            <li key={`${r.package}@${r.toVersion}`} className="panel">
              <p className="remediation-summary">{r.summary}</p>
              <p className="small">
                Update <strong>{r.package}</strong> to <code>{r.toVersion}</code>: closes{' '}
                <Link to={`/findings?package=${encodeURIComponent(r.package)}&status=open`}>
                  {r.findings} findings on {r.hosts} hosts
                </Link>
                {r.kev > 0 ? <>, {r.kev} known exploited</> : null} <SeverityBadge severity={r.severity} />
              </p>
              <div className="meter" aria-hidden="true">
                <span style={{ width: `${Math.round(r.cumulativeShare * 100)}%` }} />
              </div>
              <p className="muted small">
                Risk removed {r.riskRemoved.toFixed(0)}; with the updates above,{' '}
                {formatPercent(r.cumulativeShare)} of the fleet's fixable risk. Advisories:{' '}
                {r.advisories.slice(0, 6).join(', ')}
                {r.advisories.length > 6 ? ` and ${r.advisories.length - 6} more` : ''}
              </p>
            </li>
          ))}
        </ol>
      )}
    </>
  );
}
