/**
 * The updates that remove the most risk: "updating X to V closes N findings on
 * M hosts", X a source package (its binary packages go together), paged on the
 * server. Operators deploy one to its hosts after a confirmation that lists
 * every host and what it installs there.
 */
import type { DeploymentView, Remediation as Rem, RemediationList } from '@patchloop/contracts';
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { api } from '../api/client.js';
import { canWrite, useSession } from '../auth/session.js';
import { RebootSelect } from '../components/RebootSelect.js';
import { SeverityBadge } from '../components/badges.js';
import { ExportCsv } from '../components/ExportCsv.js';
import { ListPager } from '../components/filters.js';
import { formatPercent, plural } from '../components/format.js';
import { useListParams } from '../components/list-params.js';
import { Empty, ErrorNotice, Loading } from '../components/states.js';

type Target = NonNullable<Rem['targets']>[number];
type Pkg = Target['packages'][number];

/** Hosts that install the same packages share one manual deployment. */
export function deploymentsFor(targets: readonly Target[]): { hosts: Target[]; packages: Pkg[] }[] {
  const groups = new Map<string, { hosts: Target[]; packages: Pkg[] }>();
  for (const t of targets) {
    const k = JSON.stringify(t.packages);
    const g = groups.get(k) ?? { hosts: [], packages: t.packages };
    g.hosts.push(t);
    groups.set(k, g);
  }
  return [...groups.values()];
}

const pkgText = (p: readonly Pkg[]) => p.map((x) => `${x.name} ${x.version}`).join(', ');

function DeployConfirm({ r, onClose }: { r: Rem; onClose: () => void }) {
  const navigate = useNavigate();
  const qc = useQueryClient();
  const [reboot, setReboot] = useState('if-required');
  const q = useQuery({
    queryKey: ['remediation-targets', r.package],
    queryFn: () => api.get<RemediationList>('/api/v1/remediations', { package: r.package, limit: 1000 }),
  });
  const current = q.data?.items.find((x) => x.toVersion === r.toVersion);
  const groups = current?.targets ? deploymentsFor(current.targets) : [];
  const deploy = useMutation({
    mutationFn: async () => {
      const made: DeploymentView[] = [];
      for (const g of groups) {
        made.push(
          await api.post<DeploymentView>('/api/v1/deployments', {
            hosts: g.hosts.map((h) => h.hostId),
            packages: g.packages,
            reboot,
          }),
        );
      }
      return made;
    },
    onSuccess: (made) => {
      void qc.invalidateQueries({ queryKey: ['deployments'] });
      if (made.length === 1) void navigate(`/deployments/${made[0]?.id}`);
      else void navigate('/deployments');
    },
  });
  const title = `Deploy ${r.package} ${r.toVersion}`;
  return (
    <section className="panel confirm" aria-label={title}>
      <h3>{title}?</h3>
      {q.isPending ? (
        <Loading what="the hosts to update" />
      ) : q.isError ? (
        <ErrorNotice error={q.error} />
      ) : !current ? (
        <p role="alert">This update is no longer needed: its findings were closed or excepted meanwhile.</p>
      ) : (
        <>
          <p>
            A manual deployment installs on {plural(current.hosts, 'host')} (it closes{' '}
            {plural(current.findings, 'finding')}):
          </p>
          <ul className="confirm-list" aria-label="Hosts and packages">
            {current.targets?.map((t) => (
              <li key={t.hostId}>
                <Link to={`/hosts/${t.hostId}`}>{t.hostname}</Link>:{' '}
                <code className="small">{pkgText(t.packages)}</code>
              </li>
            ))}
          </ul>
          {groups.length > 1 ? (
            <p className="muted small">
              The hosts do not all have the same packages of {r.package}: this starts {groups.length}{' '}
              deployments, one per set of packages.
            </p>
          ) : null}
          <div className="toolbar">
            <RebootSelect value={reboot} onChange={setReboot} />
            <button
              type="button"
              className="primary"
              disabled={deploy.isPending || groups.length === 0}
              onClick={() => deploy.mutate()}
            >
              Deploy to {plural(current.hosts, 'host')}
            </button>
            <button type="button" onClick={onClose}>
              Cancel
            </button>
          </div>
        </>
      )}
      {deploy.isError ? <ErrorNotice error={deploy.error} /> : null}
    </section>
  );
}

export function Remediation() {
  const { user } = useSession();
  const p = useListParams(50);
  const [confirming, setConfirming] = useState<string | null>(null);
  const query = { limit: p.limit, offset: p.offset };
  const q = useQuery({
    queryKey: ['remediations', query],
    queryFn: () => api.get<RemediationList>('/api/v1/remediations', query),
    placeholderData: keepPreviousData,
  });
  return (
    <>
      <div className="page-head">
        <h1>Remediation</h1>
        <span className="muted">updates ranked by the risk they remove</span>
        <span className="page-actions">
          <ExportCsv path="/api/v1/remediations" query={query} what="the remediations" />
        </span>
      </div>
      {q.isPending ? (
        <Loading what="remediations" />
      ) : q.isError ? (
        <ErrorNotice error={q.error} />
      ) : q.data.total === 0 ? (
        <Empty title="Nothing to remediate">
          <p>No open finding has a fix available.</p>
        </Empty>
      ) : (
        <>
          <ol className="remediations" start={p.offset + 1}>
            {q.data.items.map((r) => {
              const key = `${r.package}@${r.toVersion}`;
              return (
                <li key={key} className="panel">
                  <p className="remediation-summary">{r.summary}</p>
                  <p className="small">
                    Update <strong>{r.package}</strong> to <code>{r.toVersion}</code>: closes{' '}
                    {plural(r.findings, 'finding')} on {plural(r.hosts, 'host')}
                    {r.kev > 0 ? <>, {r.kev} known exploited</> : null}{' '}
                    <SeverityBadge severity={r.severity} /> <span className="muted">findings of</span>{' '}
                    {r.binaries.map((b, i) => (
                      <span key={b}>
                        {i > 0 ? ', ' : ''}
                        <Link to={`/findings?package=${encodeURIComponent(b)}&status=open`}>{b}</Link>
                      </span>
                    ))}
                  </p>
                  <div className="meter" aria-hidden="true">
                    <span style={{ width: `${Math.round(r.cumulativeShare * 100)}%` }} />
                  </div>
                  <p className="muted small wrap">
                    Risk removed {r.riskRemoved.toFixed(0)}; with the updates above,{' '}
                    {formatPercent(r.cumulativeShare)} of the fleet's fixable risk. Advisories:{' '}
                    {r.advisories.slice(0, 6).join(', ')}
                    {r.advisories.length > 6 ? ` and ${r.advisories.length - 6} more` : ''}
                  </p>
                  {canWrite(user) ? (
                    confirming === key ? (
                      <DeployConfirm r={r} onClose={() => setConfirming(null)} />
                    ) : (
                      <button type="button" onClick={() => setConfirming(key)}>
                        Deploy this update
                        <span className="visually-hidden">
                          {' '}
                          ({r.package} {r.toVersion})
                        </span>
                      </button>
                    )
                  ) : null}
                </li>
              );
            })}
          </ol>
          <ListPager params={p} total={q.data.total} />
        </>
      )}
    </>
  );
}
