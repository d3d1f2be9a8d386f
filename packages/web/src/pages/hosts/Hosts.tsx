/** The fleet: server-side paged, sorted and filtered, with bulk tagging. */
import { useState, type FormEvent } from 'react';
import { CRITICALITIES } from '@patchloop/core/vocabulary';
import { Link } from 'react-router';
import { endpoints } from '../../api/endpoints.js';
import { useHosts, useTagHosts } from '../../api/hosts.js';
import type { HostSummary } from '../../api/types.js';
import { canWrite, useSession } from '../../auth/session.js';
import { DuplicateNameBadge, KevBadge, StateBadge } from '../../components/badges.js';
import { DataTable, type Column } from '../../components/DataTable.js';
import { EnrollHint } from '../../components/EnrollHint.js';
import {
  formatPendingUpdates,
  formatRelative,
  osName,
  PATCH_STATUS_TEXT,
  plural,
} from '../../components/format.js';
import { boolParam, useListParams } from '../../components/list-params.js';
import { CheckFilter, ListPager, SelectFilter, TextFilter } from '../../components/filters.js';
import { FilterBar, ListHead } from '../../components/ListHead.js';
import { noRows, QueryView } from '../../components/QueryView.js';
import { Empty, ErrorNotice } from '../../components/states.js';

/** Short end-of-life states for the list (the host page explains them). */
const EOL_TEXT: Readonly<Record<string, string>> = {
  eol: 'EOL',
  'security-support-ended': 'extended only',
  'eol-within-90-days': 'EOL soon',
  supported: 'supported',
  unknown: 'unknown',
};

// Criticality and tags are filters and on the host page; the list keeps to what fits at 1366 px.
const COLUMNS: Column<HostSummary>[] = [
  {
    key: 'hostname',
    header: 'Hostname',
    sort: 'hostname',
    render: (h) => (
      <>
        <Link to={`/hosts/${h.id}`}>{h.hostname}</Link>
        {h.duplicateName ? (
          <>
            {' '}
            <DuplicateNameBadge h={h} />
          </>
        ) : null}
      </>
    ),
  },
  {
    key: 'os',
    header: 'OS',
    sort: 'os',
    render: (h) => <span title={h.os.prettyName ?? undefined}>{osName(h.os)}</span>,
  },
  {
    key: 'patchStatus',
    header: 'Patch status',
    sort: 'patchStatus',
    render: (h) => <StateBadge state={PATCH_STATUS_TEXT[h.patchStatus] ?? h.patchStatus} />,
  },
  {
    key: 'updates',
    header: 'Updates',
    sort: 'updates',
    render: (h) => formatPendingUpdates(h.pendingUpdates),
  },
  {
    key: 'findings',
    header: 'Findings',
    sort: 'findings',
    className: 'num',
    // A host not assessed has no findings because nothing was compared: never show it as 0.
    render: (h) =>
      h.assessment.state === 'assessed' ? (
        h.findingCounts.total
      ) : (
        <span title={h.assessment.reason ?? undefined}>
          <StateBadge state="not assessed" />
        </span>
      ),
  },
  {
    key: 'kev',
    header: 'KEV',
    sort: 'kev',
    className: 'num',
    render: (h) =>
      h.findingCounts.kev > 0 ? (
        <>
          <KevBadge /> {h.findingCounts.kev}
        </>
      ) : (
        '0'
      ),
  },
  {
    key: 'eol',
    header: 'EOL',
    render: (h) =>
      h.eolStatus === null ? (
        '—'
      ) : (
        <span title={h.eolStatus}>
          <StateBadge state={EOL_TEXT[h.eolStatus] ?? h.eolStatus} />
        </span>
      ),
  },
  {
    key: 'lastPatched',
    header: 'Patched',
    sort: 'lastPatched',
    render: (h) => formatRelative(h.lastPatchedAt),
  },
  { key: 'lastSeen', header: 'Last seen', sort: 'lastSeen', render: (h) => formatRelative(h.lastSeen) },
  {
    key: 'state',
    header: 'State',
    render: (h) => (
      <>
        {h.stale ? <StateBadge state="stale" /> : null}
        {h.rebootRequired ? <StateBadge state="reboot required" /> : null}
      </>
    ),
  },
];

const FILTERS = [
  'q',
  'os',
  'tag',
  'criticality',
  'patchStatus',
  'assessed',
  'hasKev',
  'stale',
  'reboot',
  'eol',
] as const;

function BulkTags({ ids, onDone }: { ids: number[]; onDone: () => void }) {
  const [tag, setTag] = useState('');
  const m = useTagHosts({
    onSuccess: () => {
      setTag('');
      onDone();
    },
  });
  const submit = (e: FormEvent, op: 'add' | 'remove') => {
    e.preventDefault();
    if (tag.trim()) m.mutate({ hostIds: ids, [op]: [tag.trim()] });
  };
  return (
    <form className="bulk-bar" onSubmit={(e) => submit(e, 'add')} aria-label="Tag the selected hosts">
      <strong>{plural(ids.length, 'host')} selected</strong>
      <label>
        Tag <input value={tag} onChange={(e) => setTag(e.target.value)} pattern="[A-Za-z0-9_.:/\-]{1,64}" />
      </label>
      <button type="submit" disabled={m.isPending || !tag.trim()}>
        Add tag
      </button>
      <button type="button" disabled={m.isPending || !tag.trim()} onClick={(e) => submit(e, 'remove')}>
        Remove tag
      </button>
      {m.isError ? <ErrorNotice error={m.error} /> : null}
      {m.isSuccess ? <span role="status">Updated {plural(m.data.updated, 'host')}.</span> : null}
    </form>
  );
}

export function Hosts() {
  const { user } = useSession();
  const p = useListParams(100);
  const v = p.values;
  const [selected, setSelected] = useState<Set<string | number>>(new Set());
  const query = {
    limit: p.limit,
    offset: p.offset,
    q: v.q,
    os: v.os,
    tag: v.tag,
    criticality: v.criticality,
    stale: boolParam(v.stale),
    hasKev: boolParam(v.hasKev),
    reboot: boolParam(v.reboot),
    eol: boolParam(v.eol),
    assessed: boolParam(v.assessed),
    patchStatus: v.patchStatus,
    sort: v.sort,
    order: v.order,
  };
  const q = useHosts(query);
  const filtered = FILTERS.some((k) => v[k] !== undefined);

  return (
    <>
      <ListHead
        title="Hosts"
        count={q.data && plural(q.data.total, 'host')}
        csv={{ path: endpoints.hosts, query, what: 'these hosts' }}
      />
      <FilterBar label="Filter hosts">
        <TextFilter params={p} name="q" label="Hostname" />
        <TextFilter params={p} name="os" label="OS" placeholder="debian, ubuntu 22.04…" />
        <TextFilter params={p} name="tag" label="Tag" />
        <SelectFilter params={p} name="criticality" label="Criticality" options={CRITICALITIES} />
        <SelectFilter
          params={p}
          name="patchStatus"
          label="Patch status"
          options={Object.entries(PATCH_STATUS_TEXT)}
        />
        <SelectFilter
          params={p}
          name="assessed"
          label="Findings"
          options={[
            ['true', 'assessed'],
            ['false', 'not assessed'],
          ]}
        />
        <CheckFilter params={p} name="hasKev" label="Has KEV" />
        <CheckFilter params={p} name="stale" label="Stale" />
        <CheckFilter params={p} name="reboot" label="Needs reboot" />
        <CheckFilter params={p} name="eol" label="End of life" />
        {filtered ? (
          <button type="button" onClick={() => p.set(Object.fromEntries(FILTERS.map((k) => [k, null])))}>
            Clear filters
          </button>
        ) : null}
      </FilterBar>
      {canWrite(user) && selected.size > 0 ? (
        <BulkTags ids={[...selected].map(Number)} onDone={() => setSelected(new Set())} />
      ) : null}
      <QueryView
        query={q}
        what="hosts"
        isEmpty={noRows}
        empty={filtered ? <Empty title="No host matches these filters" /> : <EnrollHint />}
      >
        {(d) => (
          <>
            <DataTable
              caption="Hosts"
              rows={d.items}
              columns={COLUMNS}
              rowKey={(h) => h.id}
              rowLabel={(h) => h.hostname}
              sort={v.sort ? { key: v.sort, order: v.order === 'asc' ? 'asc' : 'desc' } : undefined}
              onSort={(s) => p.set({ sort: s.key, order: s.order })}
              {...(canWrite(user) ? { selected, onSelect: setSelected } : {})}
            />
            <ListPager params={p} total={d.total} />
          </>
        )}
      </QueryView>
    </>
  );
}
