/** Risk exceptions: request (with a justification and an expiry), approve or reject (a second person), revoke. */
import { useState, type FormEvent } from 'react';
import { Link, useSearchParams } from 'react-router';
import { endpoints } from '../api/endpoints.js';
import { useDecideException, useExceptions, useRequestException } from '../api/exceptions.js';
import { useHost } from '../api/hosts.js';
import type { ExceptionCreate, ExceptionInfo as Exception } from '../api/types.js';
import { canWrite, useSession } from '../auth/session.js';
import { StateBadge } from '../components/badges.js';
import { DataTable } from '../components/DataTable.js';
import { HostPicker, type PickedHost } from '../components/HostPicker.js';
import { formatDate } from '../components/format.js';
import { ListHead } from '../components/ListHead.js';
import { noRows, QueryView } from '../components/QueryView.js';
import { Empty, ErrorNotice } from '../components/states.js';

function scopeOf(x: Exception): string {
  const parts = [
    x.advisory ? `advisory ${x.advisory}` : null,
    x.package ? `package ${x.package}` : null,
    x.hostId ? `host #${x.hostId}` : null,
    x.group ? `group ${x.group}` : null,
  ].filter(Boolean);
  return parts.join(', ');
}

function inDays(days: number): string {
  return new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
}

/** What a finding's "request exception" fills in: its advisory, package and host. */
export interface RequestScope {
  readonly advisory?: string | undefined;
  readonly package?: string | undefined;
  readonly hostId?: number | undefined;
}

/** The host of a pre-filled request, by name (its id until the name is known). */
function useInitialHost(hostId: number | undefined): [PickedHost | null, (h: PickedHost | null) => void] {
  const [host, setHost] = useState<PickedHost | null>(hostId ? { id: hostId, hostname: `#${hostId}` } : null);
  const q = useHost(hostId);
  const named = host && q.data && q.data.id === host.id ? { id: host.id, hostname: q.data.hostname } : host;
  return [named, setHost];
}

function RequestForm({ onDone, initial = {} }: { onDone: () => void; initial?: RequestScope }) {
  const [kind, setKind] = useState<ExceptionCreate['kind']>('accepted-risk');
  const [advisory, setAdvisory] = useState(initial.advisory ?? '');
  const [pkg, setPkg] = useState(initial.package ?? '');
  const [host, setHost] = useInitialHost(initial.hostId);
  const [justification, setJustification] = useState('');
  const [expires, setExpires] = useState(inDays(90));
  const m = useRequestException({ onSuccess: onDone });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    m.mutate({
      kind,
      ...(advisory.trim() ? { advisory: advisory.trim() } : {}),
      ...(pkg.trim() ? { package: pkg.trim() } : {}),
      ...(host ? { hostId: host.id } : {}),
      justification,
      expiresAt: `${expires}T00:00:00Z`,
    });
  };
  return (
    <form className="panel form-grid" onSubmit={submit} aria-labelledby="request-title">
      <h2 id="request-title">Request an exception</h2>
      <label>
        Kind
        <select value={kind} onChange={(e) => setKind(e.target.value as ExceptionCreate['kind'])}>
          <option value="accepted-risk">accepted risk</option>
          <option value="false-positive">false positive</option>
          <option value="compensating-control">compensating control</option>
        </select>
      </label>
      <label>
        Advisory or CVE
        <input
          value={advisory}
          onChange={(e) => setAdvisory(e.target.value)}
          placeholder="DSA-5000-1 or CVE-…"
        />
      </label>
      <label>
        Package
        <input value={pkg} onChange={(e) => setPkg(e.target.value)} />
      </label>
      <HostPicker value={host} onChange={setHost} />
      <label className="wide">
        Justification
        <textarea
          value={justification}
          onChange={(e) => setJustification(e.target.value)}
          minLength={10}
          required
          rows={3}
        />
      </label>
      <label>
        Expires
        <input type="date" value={expires} onChange={(e) => setExpires(e.target.value)} required />
      </label>
      <div className="wide">
        <button type="submit" className="primary" disabled={m.isPending}>
          Request exception
        </button>
        <span className="muted small"> Another person must approve it; it lapses on its expiry date.</span>
      </div>
      {m.isError ? <ErrorNotice error={m.error} /> : null}
    </form>
  );
}

function Decide({ x }: { x: Exception }) {
  const m = useDecideException(x.id);
  return (
    <span className="actions">
      {x.status === 'requested' ? (
        <>
          <button type="button" onClick={() => m.mutate('approve')} disabled={m.isPending}>
            Approve<span className="visually-hidden"> exception {x.id}</span>
          </button>
          <button type="button" onClick={() => m.mutate('reject')} disabled={m.isPending}>
            Reject<span className="visually-hidden"> exception {x.id}</span>
          </button>
        </>
      ) : null}
      {x.status === 'approved' ? (
        <button type="button" onClick={() => m.mutate('revoke')} disabled={m.isPending}>
          Revoke<span className="visually-hidden"> exception {x.id}</span>
        </button>
      ) : null}
      {m.isError ? (
        <span role="alert" className="field-error">
          {m.error.message}
        </span>
      ) : null}
    </span>
  );
}

/** `?request=1&advisory=…&package=…&hostId=…` (a finding's "request exception") opens the form filled in. */
function requestedScope(params: URLSearchParams): RequestScope | null {
  if (params.get('request') !== '1') return null;
  const hostId = Number(params.get('hostId'));
  return {
    advisory: params.get('advisory') ?? undefined,
    package: params.get('package') ?? undefined,
    hostId: Number.isInteger(hostId) && hostId > 0 ? hostId : undefined,
  };
}

export function Exceptions() {
  const { user } = useSession();
  const [params, setParams] = useSearchParams();
  const [status, setStatus] = useState('');
  const fromFinding = requestedScope(params);
  const [opened, setOpened] = useState(false);
  const requesting = opened || fromFinding !== null;
  const setRequesting = (open: boolean) => {
    setOpened(open);
    if (!open && fromFinding) setParams({}, { replace: true });
  };
  const q = useExceptions(status);
  return (
    <>
      <ListHead
        title="Exceptions"
        csv={{ path: endpoints.exceptions, query: { status }, what: 'these exceptions' }}
      >
        {canWrite(user) ? (
          <button
            type="button"
            className="primary"
            onClick={() => setRequesting(!requesting)}
            aria-expanded={requesting}
          >
            Request an exception
          </button>
        ) : null}
      </ListHead>
      {requesting && canWrite(user) ? (
        <RequestForm
          key={params.toString()}
          initial={fromFinding ?? {}}
          onDone={() => setRequesting(false)}
        />
      ) : null}
      <label className="inline">
        Status{' '}
        <select value={status} onChange={(e) => setStatus(e.target.value)}>
          <option value="">any</option>
          {['requested', 'approved', 'rejected', 'revoked', 'expired'].map((s) => (
            <option key={s}>{s}</option>
          ))}
        </select>
      </label>
      <QueryView
        query={q}
        what="exceptions"
        isEmpty={noRows}
        empty={
          <Empty title="No exceptions">
            <p>
              An exception takes findings out of SLA figures for a while, with a reason and a second approver.
              Request one for a false positive or a risk you accept.
            </p>
          </Empty>
        }
      >
        {(d) => (
          <DataTable
            caption="Exceptions"
            rows={d.items}
            rowKey={(x) => x.id}
            columns={[
              { key: 'id', header: '#', className: 'num', render: (x) => x.id },
              { key: 'status', header: 'Status', render: (x) => <StateBadge state={x.status} /> },
              {
                key: 'decide',
                header: 'Decision',
                render: (x) => (canWrite(user) ? <Decide x={x} /> : (x.decidedBy ?? '—')),
              },
              { key: 'kind', header: 'Kind', render: (x) => x.kind },
              {
                key: 'scope',
                header: 'Scope',
                render: (x) =>
                  x.hostId ? (
                    <>
                      {scopeOf(x)} (<Link to={`/hosts/${x.hostId}`}>host</Link>)
                    </>
                  ) : (
                    scopeOf(x)
                  ),
              },
              { key: 'findings', header: 'Findings', className: 'num', render: (x) => x.findings },
              {
                key: 'why',
                header: 'Justification',
                render: (x) => (
                  <span className="clip" title={x.justification}>
                    {x.justification}
                  </span>
                ),
              },
              { key: 'by', header: 'Requested by', render: (x) => x.requestedBy },
              { key: 'expires', header: 'Expires', render: (x) => formatDate(x.expiresAt) },
            ]}
          />
        )}
      </QueryView>
    </>
  );
}
