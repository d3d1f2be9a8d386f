/**
 * A host's offered updates, classified, with what each closes; operators can
 * deploy the ones they pick to this host at once (a deployment by hand, with
 * the same tracking, log and rollback as one from a policy).
 */
import { useState } from 'react';
import { useNavigate } from 'react-router';
import { useStartDeployment } from '../../api/deployments.js';
import { useHostUpdates } from '../../api/hosts.js';
import type { CatalogueItem as Update, CatalogueList } from '../../api/types.js';
import { canWrite, useSession } from '../../auth/session.js';
import { RebootSelect, type RebootMode } from '../../components/RebootSelect.js';
import { KevBadge, SeverityBadge } from '../../components/badges.js';
import { DataTable } from '../../components/DataTable.js';
import { plural } from '../../components/format.js';
import { QueryView } from '../../components/QueryView.js';
import { Empty, ErrorNotice } from '../../components/states.js';

const keyOf = (u: Update) => `${u.package}:${u.arch}`;

export function HostUpdates({ id }: { id: number }) {
  const q = useHostUpdates(id);
  return (
    <QueryView query={q} what="available updates">
      {(d) =>
        !d.collected ? (
          <Empty title="Updates not collected">
            The agent could not list available updates on this host.
          </Empty>
        ) : d.items.length === 0 ? (
          <Empty title="The host is up to date" />
        ) : (
          <Updates id={id} list={d} />
        )
      }
    </QueryView>
  );
}

function Updates({ id, list }: { id: number; list: CatalogueList }) {
  const { user } = useSession();
  const navigate = useNavigate();
  const [selected, setSelected] = useState<Set<string | number>>(new Set());
  const [reboot, setReboot] = useState<RebootMode>('never');
  const deploy = useStartDeployment({ onSuccess: (d) => void navigate(`/deployments/${d.id}`) });
  const picked = list.items.filter((u) => selected.has(keyOf(u)));
  const writable = canWrite(user);
  return (
    <>
      {writable ? (
        <div className="bulk-bar" role="group" aria-label="Deploy updates to this host">
          <strong>{plural(picked.length, 'update')} selected</strong>
          <RebootSelect value={reboot} onChange={setReboot} />
          <button
            type="button"
            className="primary"
            disabled={picked.length === 0 || deploy.isPending}
            onClick={() =>
              deploy.mutate({
                hosts: [id],
                packages: picked.map((u) => ({ name: u.package, version: u.candidateVersion })),
                reboot,
              })
            }
          >
            Deploy selected now
          </button>
          {deploy.isError ? <ErrorNotice error={deploy.error} /> : null}
        </div>
      ) : null}
      <DataTable
        caption="Available updates"
        rows={list.items}
        rowKey={keyOf}
        rowLabel={(u) => `${u.package} ${u.candidateVersion}`}
        {...(writable ? { selected, onSelect: setSelected } : {})}
        columns={[
          { key: 'package', header: 'Package', render: (u) => u.package },
          {
            key: 'versions',
            header: 'Installed → candidate',
            render: (u) => (
              <code className="small">
                {u.installedVersion ?? '—'} → {u.candidateVersion}
              </code>
            ),
          },
          { key: 'class', header: 'Class', render: (u) => u.class },
          {
            key: 'severity',
            header: 'Severity',
            render: (u) => (u.severity ? <SeverityBadge severity={u.severity} /> : '—'),
          },
          {
            key: 'closes',
            header: 'Closes',
            render: (u) => (
              <>
                {u.closes.join(', ') || '—'} {u.kev ? <KevBadge /> : null}
              </>
            ),
          },
          { key: 'repo', header: 'Repository', render: (u) => u.repository ?? '—' },
        ]}
      />
    </>
  );
}
