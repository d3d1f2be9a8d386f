/** Where the fleet stands: every figure links to the list behind it. */
import { Link } from 'react-router';
import { lazy, Suspense } from 'react';
import { useDashboard } from '../api/findings.js';
import { EnrollHint } from '../components/EnrollHint.js';
import { formatDateTime, formatPercent } from '../components/format.js';
import { QueryView } from '../components/QueryView.js';
import { Stat } from '../components/Stat.js';
import { Loading } from '../components/states.js';
import {
  feedWarning,
  LINKS,
  nextSteps,
  PATCH_FIGURES,
  PRIORITIES,
  type DashboardData,
} from './dashboard-model.js';

// The chart library is loaded only when there is a trend to draw.
const TrendChart = lazy(() => import('../components/TrendChart.js'));

export function Dashboard() {
  const q = useDashboard();
  return (
    <QueryView query={q} what="the dashboard">
      {(d) => <Figures d={d} />}
    </QueryView>
  );
}

function Figures({ d }: { d: DashboardData }) {
  const steps = nextSteps(d);
  const feeds = feedWarning(d);
  const sla = d.compliance.slaCompliance;
  return (
    <>
      <div className="page-head">
        <h1>Dashboard</h1>
        <span className="muted small">as of {formatDateTime(d.at)}</span>
      </div>
      {feeds ? (
        <div className="notice notice-error" role="alert" aria-label="Feeds">
          {feeds} <Link to="/settings">Feed status</Link>
        </div>
      ) : null}
      {d.hosts.total === 0 ? <EnrollHint /> : null}
      <section aria-labelledby="risk-title">
        <h2 id="risk-title" className="visually-hidden">
          Risk
        </h2>
        <div className="stats">
          <Stat label="Open findings" value={d.findings.open} to={LINKS.open} />
          {PRIORITIES.map((p) => (
            <Stat
              key={p}
              label={`${p} findings`}
              value={d.findings.byPriority[p] ?? 0}
              to={LINKS.priority(p)}
              tone={p === 'P1' && (d.findings.byPriority[p] ?? 0) > 0 ? 'bad' : undefined}
            />
          ))}
          <Stat
            label="KEV findings"
            value={d.findings.kev}
            to={LINKS.kev}
            tone={d.findings.kev ? 'bad' : 'good'}
          />
          <Stat
            label="SLA breaches"
            value={d.findings.breached}
            to={LINKS.breached}
            tone={d.findings.breached ? 'bad' : 'good'}
          />
          <Stat
            label="SLA compliance"
            value={sla === null ? 'n/a' : formatPercent(sla)}
            to={LINKS.open}
            tone={sla === null ? 'warn' : sla >= 0.95 ? 'good' : 'warn'}
            hint={
              sla === null
                ? 'no host assessed: nothing measured'
                : `${d.compliance.inScope} in scope, ${d.compliance.excepted} excepted, over ${d.compliance.hosts.assessed} assessed hosts`
            }
          />
          <Stat
            label="Not assessed"
            value={d.hosts.notAssessed}
            to={LINKS.notAssessed}
            tone={d.hosts.notAssessed ? 'warn' : undefined}
            hint="hosts whose findings mean nothing yet"
          />
        </div>
      </section>
      <section aria-labelledby="fleet-title">
        <h2 id="fleet-title" className="visually-hidden">
          Fleet
        </h2>
        <div className="stats">
          <Stat label="Hosts" value={d.hosts.total} to={LINKS.hosts} />
          <Stat label="Hosts with KEV" value={d.hosts.withKev} to={LINKS.hostsWithKev} />
          <Stat label="Need reboot" value={d.hosts.rebootRequired} to={LINKS.reboot} />
          <Stat
            label="Stale hosts"
            value={d.hosts.stale}
            to={LINKS.stale}
            tone={d.hosts.stale ? 'warn' : undefined}
          />
          <Stat
            label="End of life"
            value={d.hosts.eol}
            to={LINKS.eol}
            tone={d.hosts.eol ? 'bad' : undefined}
          />
        </div>
      </section>
      <section aria-labelledby="patch-title">
        <h2 id="patch-title">
          Patch status
          <span className="muted small">
            {' '}
            {d.compliance.patch.compliance === null
              ? 'compliance n/a: no host reports its updates'
              : `${formatPercent(d.compliance.patch.compliance)} of ${d.compliance.patch.known} hosts up to date`}
          </span>
        </h2>
        <div className="stats">
          {PATCH_FIGURES.map(([key, status, label]) => (
            <Stat
              key={key}
              label={label}
              value={d.patch[key]}
              to={LINKS.patch(status)}
              tone={
                key === 'securityUpdatesPending' && d.patch[key] > 0
                  ? 'bad'
                  : key === 'upToDate'
                    ? undefined
                    : d.patch[key] > 0
                      ? 'warn'
                      : undefined
              }
            />
          ))}
        </div>
      </section>
      {steps.length > 0 ? (
        <section className="panel" aria-labelledby="next-title">
          <h2 id="next-title">What to do next</h2>
          <ol className="next-steps">
            {steps.map((s) => (
              <li key={s.to}>
                <Link to={s.to}>{s.text}</Link>
              </li>
            ))}
          </ol>
          <p className="small">
            <Link to="/remediation">See the updates that remove the most risk →</Link>
          </p>
        </section>
      ) : null}
      {d.trend.length > 0 ? (
        <Suspense fallback={<Loading what="the trend chart" />}>
          <TrendChart data={d.trend} />
        </Suspense>
      ) : null}
    </>
  );
}
