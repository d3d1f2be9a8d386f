/** Why a finding exists and how it was scored: advisory, versions, range, risk factors, SLA. */
import type { Finding } from '../api/types.js';
import { KevBadge, PriorityBadge, SeverityBadge, StateBadge } from './badges.js';
import { formatDate, formatPercent, safeHref } from './format.js';

export function FindingExplain({ f }: { f: Finding }) {
  const advisoryHref = safeHref(f.advisory.url);
  return (
    <div className="explain">
      <p className="explain-head">
        <strong>{f.advisory.id}</strong> ({f.advisory.source}) <SeverityBadge severity={f.severity} />{' '}
        {f.kev ? <KevBadge ransomware={f.kev.ransomware} /> : null}
        {advisoryHref ? (
          <>
            {' '}
            <a href={advisoryHref} target="_blank" rel="noreferrer noopener">
              advisory
            </a>
          </>
        ) : null}
      </p>
      {f.advisory.aliases.length > 0 ? (
        <p className="small">Also known as {f.advisory.aliases.join(', ')}</p>
      ) : null}
      <p className="explanation">{f.explanation}</p>
      <dl className="facts">
        <dt>Package</dt>
        <dd>
          {f.package}
          {f.arch ? ` (${f.arch})` : ''} from source {f.sourcePackage}
        </dd>
        <dt>Installed</dt>
        <dd>
          <code>{f.installedVersion}</code>
        </dd>
        <dt>Fixed in</dt>
        <dd>{f.fixedVersion ? <code>{f.fixedVersion}</code> : 'no fix yet'}</dd>
        {f.cvss ? (
          <>
            <dt>CVSS</dt>
            <dd>
              {f.cvss.score} (v{f.cvss.version}, {f.cvss.cve}) <code className="small">{f.cvss.vector}</code>
            </dd>
          </>
        ) : null}
        {f.epss ? (
          <>
            <dt>EPSS</dt>
            <dd>
              {formatPercent(f.epss.score)} chance of exploitation in 30 days (percentile{' '}
              {formatPercent(f.epss.percentile, 0)})
            </dd>
          </>
        ) : null}
        {f.kev ? (
          <>
            <dt>KEV</dt>
            <dd>
              {f.kev.cve} added {formatDate(f.kev.dateAdded)}, CISA due {formatDate(f.kev.dueDate)}
            </dd>
          </>
        ) : null}
        {f.sla ? (
          <>
            <dt>Due</dt>
            <dd>
              {formatDate(f.sla.dueAt)} <StateBadge state={f.sla.state} />{' '}
              <span className="muted">{f.sla.basis}</span>
            </dd>
          </>
        ) : null}
        {f.exception ? (
          <>
            <dt>Exception</dt>
            <dd>
              #{f.exception.id} {f.exception.kind}, until {formatDate(f.exception.expiresAt)}
            </dd>
          </>
        ) : null}
      </dl>
      {f.risk ? (
        <>
          <p>
            Risk {f.risk.score} <PriorityBadge priority={f.risk.priority} /> — {f.risk.explanation}
          </p>
          <table className="data-table compact">
            <caption className="visually-hidden">Risk factors</caption>
            <thead>
              <tr>
                <th scope="col">Factor</th>
                <th scope="col">Value</th>
                <th scope="col" className="num">
                  Points
                </th>
                <th scope="col">Why</th>
              </tr>
            </thead>
            <tbody>
              {f.risk.factors.map((x) => (
                <tr key={x.name}>
                  <td>{x.name}</td>
                  <td>{x.value}</td>
                  <td className="num">{x.points}</td>
                  <td>{x.explanation}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      ) : null}
    </div>
  );
}
