/**
 * One policy: edit its YAML with problems marked inline, save (validated and
 * versioned by the server), simulate what it would do at an instant (who gets
 * what, when, and why not), and start a deployment from it.
 */
import { useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { ApiError } from '../api/client.js';
import { useStartDeployment } from '../api/deployments.js';
import { usePolicy, useSavePolicy, useSimulatePolicy } from '../api/policies.js';
import type { Simulation as Sim } from '../api/types.js';
import { canWrite, useSession } from '../auth/session.js';
import { StateBadge } from '../components/badges.js';
import { formatDateTime, formatNumber } from '../components/format.js';
import { Pager } from '../components/Pager.js';
import { policyProblems, problemsOf, type PolicyProblem } from '../components/policy-problems.js';
import { Empty, ErrorNotice, Loading } from '../components/states.js';
import { YamlEditor } from '../components/YamlEditor.js';

const TEMPLATE = `name: NAME
selector: { tags: [linux] }
approve:
  classifications: [security]
  minSeverity: medium
  deferDays: 0
  kevImmediately: true
schedule:
  window: { cron: '0 2 * * *', duration: '4h', timezone: 'UTC' }
rings:
  - { name: pilot, selector: { tags: [pilot] }, bake: '1h', minSuccess: 1.0 }
  - { name: broad, selector: {}, maxConcurrency: '25%', errorBudget: 1 }
reboot: if-required
`;

function ProblemList({ problems, title }: { problems: readonly PolicyProblem[]; title: string }) {
  if (problems.length === 0) return null;
  return (
    <div className="notice notice-error" role="alert" aria-label={title}>
      <strong>{title}</strong>
      <ul className="problems">
        {problems.map((p, i) => (
          <li key={`${p.path}:${i}`}>
            {p.line !== undefined ? <span className="muted">line {p.line}: </span> : null}
            <code>{p.path || '(document)'}</code> {p.message}
          </li>
        ))}
      </ul>
    </div>
  );
}

const ACTION_TEXT: Record<string, string> = {
  deploy: 'deploys now',
  'wait-window': 'waits for the window',
  'wait-ring': 'waits for an earlier ring',
  nothing: 'nothing to do',
  'not-deployable': 'not deployable',
};

function SimulationView({
  sim,
  offset,
  limit,
  onPage,
}: {
  sim: Sim;
  offset: number;
  limit: number;
  onPage: (offset: number, limit: number) => void;
}) {
  const counts = Object.entries(sim.totals).filter(([, n]) => n > 0);
  return (
    <section className="panel" aria-labelledby="sim-title">
      <h2 id="sim-title">Simulation at {formatDateTime(sim.at)}</h2>
      <p>
        Maintenance window:{' '}
        {sim.window.open && !sim.window.end
          ? 'none set: updates may go out at any time'
          : sim.window.open
            ? `open until ${formatDateTime(sim.window.end)}`
            : `closed; next opens ${formatDateTime(sim.window.next)}`}
      </p>
      {sim.total > 0 ? (
        <p>
          {formatNumber(sim.total)} host{sim.total === 1 ? '' : 's'}:{' '}
          {counts.map(([action, n]) => `${formatNumber(n)} ${ACTION_TEXT[action] ?? action}`).join(', ')}
        </p>
      ) : null}
      {sim.total === 0 ? (
        <Empty title="The policy selects no host" />
      ) : (
        <>
          <table className="data-table sim-table">
            <caption className="visually-hidden">What each host would get</caption>
            <thead>
              <tr>
                <th scope="col">Host</th>
                <th scope="col">Ring</th>
                <th scope="col">Action</th>
                <th scope="col">Gets</th>
                <th scope="col">Held back (why not)</th>
              </tr>
            </thead>
            <tbody>
              {sim.hosts.map((h) => (
                <tr key={h.hostId}>
                  <td>{h.hostname}</td>
                  <td>{h.ring}</td>
                  <td>
                    <StateBadge state={ACTION_TEXT[h.action] ?? h.action} />
                    {h.notDeployable ? <div className="muted small">{h.notDeployable}</div> : null}
                  </td>
                  <td>
                    {h.updates.length === 0 ? (
                      '—'
                    ) : (
                      <ul className="plain">
                        {h.updates.map((u) => (
                          <li key={u.package}>
                            {u.package} → <code className="small">{u.toVersion}</code>
                            {u.advisories.length ? (
                              <span className="muted small"> ({u.advisories.join(', ')})</span>
                            ) : null}
                          </li>
                        ))}
                      </ul>
                    )}
                  </td>
                  <td>
                    {h.held.length === 0 ? (
                      '—'
                    ) : (
                      <ul className="plain">
                        {h.held.map((x, i) => (
                          <li key={`${x.package}:${i}`}>
                            {x.package}: <strong>{x.reason}</strong>{' '}
                            <span className="muted small">{x.detail}</span>
                          </li>
                        ))}
                      </ul>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <Pager offset={offset} limit={limit} total={sim.total} onChange={onPage} />
        </>
      )}
      {sim.lost.length > 0 ? (
        <>
          <h3>Lost to other policies ({sim.lost.length})</h3>
          <p className="small muted">
            Selected by this policy, but governed by one that takes precedence: naming the host beats a group,
            a group beats a tag, a tag beats a global policy; a tie goes to the name sorting first.
          </p>
          <table className="data-table">
            <caption className="visually-hidden">
              Hosts this policy selects that another policy governs
            </caption>
            <thead>
              <tr>
                <th scope="col">Host</th>
                <th scope="col">Governed by</th>
                <th scope="col">Precedence</th>
              </tr>
            </thead>
            <tbody>
              {sim.lost.map((l) => (
                <tr key={l.hostname}>
                  <td>{l.hostname}</td>
                  <td>
                    <Link to={`/policies/${encodeURIComponent(l.to)}`}>{l.to}</Link>
                  </td>
                  <td>
                    by {l.toLevel} over by {l.level}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      ) : null}
    </section>
  );
}

/** The editor of the policy in the URL: a fresh editor (state and all) for each policy. */
export function PolicyEditorPage() {
  const { name } = useParams();
  return <PolicyEditor key={name ?? '(new)'} />;
}

function PolicyEditor() {
  const { name: routeName } = useParams();
  const isNew = routeName === undefined;
  const { user } = useSession();
  const writable = canWrite(user);
  const navigate = useNavigate();
  const [text, setText] = useState<string | null>(null);
  const [newName, setNewName] = useState('');
  const [at, setAt] = useState('');
  const [serverProblems, setServerProblems] = useState<PolicyProblem[]>([]);
  const policy = usePolicy(routeName);
  const source =
    text ?? (isNew ? TEMPLATE.replace('NAME', newName || 'my-policy') : (policy.data?.source ?? ''));
  const problems = policyProblems(source);
  const name = isNew ? newName : (routeName as string);

  const save = useSavePolicy(name, {
    onMutate: () => setServerProblems([]),
    onSuccess: (p) => {
      // A new policy's page is a new editor (keyed by name), opened on what was saved.
      if (isNew) void navigate(`/policies/${p.name}`);
      else setText(null);
    },
    onError: (e) => setServerProblems(e instanceof ApiError ? problemsOf(e.details) : []),
  });
  const simulate = useSimulatePolicy(name);
  const [simPage, setSimPage] = useState({ offset: 0, limit: 100 });
  const deploy = useStartDeployment({ onSuccess: (d) => void navigate(`/deployments/${d.id}`) });

  if (!isNew && policy.isPending) return <Loading what="the policy" />;
  if (!isNew && policy.isError) return <ErrorNotice error={policy.error} />;
  const dirty = text !== null && text !== policy.data?.source;

  return (
    <>
      <p className="crumbs">
        <Link to="/policies">Policies</Link> /
      </p>
      <div className="page-head">
        <h1>{isNew ? 'New policy' : name}</h1>
        {policy.data ? (
          <span className="muted small">
            version {policy.data.version}, changed by {policy.data.updatedBy}{' '}
            {formatDateTime(policy.data.updatedAt)}
          </span>
        ) : null}
      </div>
      {isNew ? (
        <label className="inline">
          Name{' '}
          <input
            value={newName}
            onChange={(e) => setNewName(e.target.value)}
            pattern="[a-z0-9][a-z0-9\-]{0,62}"
            required
            placeholder="linux-servers"
          />
        </label>
      ) : null}
      <YamlEditor
        value={source}
        onChange={setText}
        check={policyProblems}
        label="Policy YAML"
        readOnly={!writable}
      />
      <p className="small muted" role="status" aria-live="polite">
        {problems.length === 0
          ? 'The policy is valid.'
          : `${problems.length} problem${problems.length === 1 ? '' : 's'}.`}
        {dirty ? ' Unsaved changes.' : ''}
      </p>
      <ProblemList problems={problems} title="Problems in this policy" />
      <ProblemList problems={serverProblems} title="The server refused the policy" />
      {save.isError && serverProblems.length === 0 ? <ErrorNotice error={save.error} /> : null}
      {save.isSuccess ? (
        <p role="status" className="notice">
          Saved as version {save.data.version}
          {save.data.changed ? '' : ' (no change)'}.
        </p>
      ) : null}
      {save.data?.warnings.map((w) => (
        <p key={w} role="alert" className="notice notice-error">
          Warning: {w}
        </p>
      ))}
      <div className="toolbar">
        {writable ? (
          <button
            type="button"
            className="primary"
            disabled={save.isPending || problems.length > 0 || !name}
            onClick={() => save.mutate(source)}
          >
            Save policy
          </button>
        ) : null}
        {!isNew ? (
          <>
            <label className="inline">
              Simulate at <input type="datetime-local" value={at} onChange={(e) => setAt(e.target.value)} />
            </label>
            <button
              type="button"
              onClick={() => {
                setSimPage({ offset: 0, limit: simPage.limit });
                simulate.mutate({
                  at: at ? new Date(at).toISOString() : undefined,
                  offset: 0,
                  limit: simPage.limit,
                });
              }}
              disabled={simulate.isPending || dirty}
            >
              Simulate
            </button>
            {writable ? (
              <button
                type="button"
                onClick={() => deploy.mutate({ policy: name })}
                disabled={deploy.isPending || dirty}
              >
                Start deployment
              </button>
            ) : null}
          </>
        ) : null}
      </div>
      {dirty && !isNew ? (
        <p className="small muted">Save the policy to simulate or deploy this version.</p>
      ) : null}
      {simulate.isError ? <ErrorNotice error={simulate.error} /> : null}
      {deploy.isError ? <ErrorNotice error={deploy.error} /> : null}
      {simulate.data ? (
        <SimulationView
          sim={simulate.data}
          offset={simPage.offset}
          limit={simPage.limit}
          onPage={(offset, limit) => {
            // Every page at the instant of the first one.
            setSimPage({ offset, limit });
            simulate.mutate({ at: simulate.data?.at, offset, limit });
          }}
        />
      ) : null}
    </>
  );
}
