/** Audit events as a table: when, who, what, which target, and what changed. */
import type { AuditEvent } from '@patchloop/contracts';
import type { Static } from 'typebox';
import { DataTable } from './DataTable.js';
import { describeChange, formatDateTime } from './format.js';

type Audit = Static<typeof AuditEvent>;

export function AuditTable({ rows }: { rows: readonly Audit[] }) {
  return (
    <DataTable
      caption="Audit events"
      rows={rows}
      rowKey={(e) => e.seq}
      columns={[
        { key: 'seq', header: '#', className: 'num', render: (e) => e.seq },
        { key: 'at', header: 'When', render: (e) => formatDateTime(e.at) },
        { key: 'actor', header: 'Who', render: (e) => e.actor },
        { key: 'action', header: 'What', render: (e) => <code className="small">{e.action}</code> },
        { key: 'target', header: 'Target', render: (e) => e.target },
        {
          key: 'change',
          header: 'Change',
          render: (e) => (
            <code className="small clip" title={JSON.stringify({ before: e.before, after: e.after })}>
              {describeChange(e.before, e.after)}
            </code>
          ),
        },
      ]}
    />
  );
}
