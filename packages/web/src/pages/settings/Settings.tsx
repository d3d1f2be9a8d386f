/** Settings: feeds and their last sync, enrollment, users and roles, API tokens, risk and SLA. */
import { useFeeds, useRiskSettings, useSyncFeeds } from '../../api/admin.js';
import type { FeedStatus, FeedStatusList } from '../../api/types.js';
import { canWrite, useSession } from '../../auth/session.js';
import { StateBadge } from '../../components/badges.js';
import { DataTable, type Column } from '../../components/DataTable.js';
import { formatDateTime, formatRelative } from '../../components/format.js';
import { noItems, QueryView } from '../../components/QueryView.js';
import { Empty, ErrorNotice } from '../../components/states.js';
import { Tokens, Users } from './Accounts.js';
import { EnrollmentPanel } from './Enrollment.js';

type Running = NonNullable<FeedStatusList['items'][number]['running']>;

/** A sync or import in progress: its phase, records and bytes so far. */
function runningText(r: Running): string {
  const mib = (r.bytes / 2 ** 20).toFixed(1);
  return `${r.kind === 'import' ? 'importing' : 'syncing'} (${r.phase}): ${r.records.toLocaleString('en-US')} records, ${mib} MiB`;
}

const FEED_COLUMNS: Column<FeedStatus>[] = [
  { key: 'source', header: 'Source', render: (f) => f.source },
  {
    key: 'records',
    header: 'Records',
    className: 'num',
    render: (f) => f.records.toLocaleString('en-US'),
  },
  {
    key: 'status',
    header: 'Last run',
    render: (f) => (f.lastStatus ? <StateBadge state={f.lastStatus} /> : '—'),
  },
  {
    key: 'running',
    header: 'Now',
    render: (f) => (f.running ? <span role="status">{runningText(f.running)}</span> : '—'),
  },
  { key: 'success', header: 'Last success', render: (f) => formatRelative(f.lastSuccess) },
  { key: 'import', header: 'Last import', render: (f) => formatDateTime(f.lastImport) },
  {
    key: 'error',
    header: 'Last error',
    render: (f) =>
      f.lastError ? (
        <span className="clip" title={f.lastError}>{`${f.lastErrorCode ?? ''} ${f.lastError}`}</span>
      ) : (
        '—'
      ),
  },
];

function Feeds() {
  const { user } = useSession();
  const q = useFeeds();
  const sync = useSyncFeeds();
  return (
    <section className="panel" aria-labelledby="feeds-title">
      <h2 id="feeds-title">Feeds</h2>
      <QueryView
        query={q}
        what="feed status"
        isEmpty={noItems}
        empty={
          <Empty title="No feed synced yet">
            <p>
              Advisories arrive with the first sync. Without internet access, point PATCHLOOP_FEED_MIRROR at a
              directory of feed files.
            </p>
          </Empty>
        }
      >
        {(d) => (
          <DataTable
            caption="Feed status"
            rows={d.items}
            rowKey={(f) => f.source}
            maxHeight="none"
            columns={FEED_COLUMNS}
          />
        )}
      </QueryView>
      {canWrite(user) ? (
        <p>
          <button type="button" onClick={() => sync.mutate()} disabled={sync.isPending}>
            Sync feeds now
          </button>{' '}
          {sync.isSuccess ? <span role="status">Sync queued.</span> : null}
        </p>
      ) : null}
      {sync.isError ? <ErrorNotice error={sync.error} /> : null}
    </section>
  );
}

function Risk() {
  const q = useRiskSettings();
  return (
    <QueryView query={q} what="risk settings">
      {(r) => (
        <section className="panel" aria-labelledby="risk-title">
          <h2 id="risk-title">SLA</h2>
          <p>
            Due within{' '}
            {Object.entries(r.sla.days)
              .map(([p, d]) => `${p} ${d} days`)
              .join(', ')}
            ; "due soon" from {r.sla.dueSoonDays} days before. Change with{' '}
            <code>PUT /api/v1/settings/risk</code>.
          </p>
        </section>
      )}
    </QueryView>
  );
}

export function Settings() {
  const { user } = useSession();
  const isAdmin = user?.role === 'admin';
  return (
    <>
      <div className="page-head">
        <h1>Settings</h1>
      </div>
      <Feeds />
      <Risk />
      {isAdmin ? (
        <>
          <EnrollmentPanel />
          <Users />
          <Tokens />
        </>
      ) : (
        <p className="muted">Users, API tokens and the enrollment secret are managed by administrators.</p>
      )}
    </>
  );
}
