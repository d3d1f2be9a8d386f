/**
 * Audit events as a table: when, who, what, which target (a link to it), and
 * what changed, readably: a one-line summary, and the field, before and after
 * of every change when there is more than one.
 */
import { Link } from 'react-router';
import type { AuditEvent as Audit } from '../api/types.js';
import { auditActorHref, auditTargetHref, changeRows, changeSummary } from './audit-change.js';
import { DataTable } from './DataTable.js';
import { formatDateTime } from './format.js';

function Ref({ text, href }: { text: string; href: string | null }) {
  return href ? (
    <Link to={href} className="clip clip-ref" title={text}>
      {text}
    </Link>
  ) : (
    <span className="clip clip-ref" title={text}>
      {text}
    </span>
  );
}

export function Change({ e }: { e: Pick<Audit, 'before' | 'after' | 'seq'> }) {
  const rows = changeRows(e.before, e.after);
  const summary = changeSummary(e.before, e.after);
  if (rows.length <= 1) return <span className="small change-line">{summary || '—'}</span>;
  return (
    <details className="change">
      <summary className="small">
        <span className="clip clip-change">{summary}</span>
      </summary>
      <table className="data-table compact">
        <caption className="visually-hidden">Change of event {e.seq}</caption>
        <thead>
          <tr>
            <th scope="col">Field</th>
            <th scope="col">Before</th>
            <th scope="col">After</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.field}>
              <th scope="row">{r.field}</th>
              <td>{r.before}</td>
              <td>{r.after}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </details>
  );
}

export function AuditTable({ rows }: { rows: readonly Audit[] }) {
  return (
    <DataTable
      caption="Audit events"
      rows={rows}
      rowKey={(e) => e.seq}
      columns={[
        { key: 'seq', header: '#', className: 'num', render: (e) => e.seq },
        { key: 'at', header: 'When', render: (e) => formatDateTime(e.at) },
        { key: 'actor', header: 'Who', render: (e) => <Ref text={e.actor} href={auditActorHref(e.actor)} /> },
        { key: 'action', header: 'What', render: (e) => <code className="small">{e.action}</code> },
        {
          key: 'target',
          header: 'Target',
          render: (e) => <Ref text={e.target} href={auditTargetHref(e.target)} />,
        },
        { key: 'change', header: 'Change', render: (e) => <Change e={e} /> },
      ]}
    />
  );
}
