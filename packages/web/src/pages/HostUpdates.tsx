/**
 * A host's offered updates, classified, with what each closes; operators can
 * deploy the ones they pick to this host at once (a deployment by hand, with
 * the same tracking, log and rollback as one from a policy).
 */
import type { CatalogueList, DeploymentView } from '@patchloop/contracts';
import { useMutation, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useNavigate } from 'react-router';
import { api } from '../api/client.js';
import { canWrite, useSession } from '../auth/session.js';
import { RebootSelect } from '../components/RebootSelect.js';
import { KevBadge, SeverityBadge } from '../components/badges.js';
import { DataTable } from '../components/DataTable.js';
import { plural } from '../components/format.js';
import { Empty, ErrorNotice, Loading } from '../components/states.js';

type Update = CatalogueList['items'][number];
const keyOf = (u: Update) => `${u.package}:${u.arch}`;

export function HostUpdates({ id }: { id: number }) {
  const { user } = useSession();
  const navigate = useNavigate();
  const [selected, setSelected] = useState<Set<string | number>>(new Set());
  const [reboot, setReboot] = useState('never');
  const q = useQuery({
    queryKey: ['host-updates', id],
    queryFn: () => api.get<CatalogueList>(`/api/v1/hosts/${id}/updates`),
  });
  const deploy = useMutation({
    mutationFn: (updates: Update[]) =>
      api.post<DeploymentView>('/api/v1/deployments', {
        hosts: [id],
        packages: updates.map((u) => ({ name: u.package, version: u.candidateVersion })),
        reboot,
      }),
    onSuccess: (d) => navigate(`/deployments/${d.id}`),
  });
  if (q.isPending) return <Loading what="available updates" />;
  if (q.isError) return <ErrorNotice error={q.error} />;
  if (!q.data.collected)
    return (
      <Empty title="Updates not collected">The agent could not list available updates on this host.</Empty>
    );
  if (q.data.items.length === 0) return <Empty title="The host is up to date" />;
  const picked = q.data.items.filter((u) => selected.has(keyOf(u)));
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
            onClick={() => deploy.mutate(picked)}
          >
            Deploy selected now
          </button>
          {deploy.isError ? <ErrorNotice error={deploy.error} /> : null}
        </div>
      ) : null}
      <DataTable
        caption="Available updates"
        rows={q.data.items}
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
