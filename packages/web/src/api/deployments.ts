/** Deployments: the list, one deployment live, starting and steering them. */
import { useQuery } from '@tanstack/react-query';
import { api } from './client.js';
import { endpoints } from './endpoints.js';
import { keys } from './keys.js';
import { useChange, type ChangeOptions } from './mutation.js';
import type { DeploymentCreate, DeploymentList, DeploymentView } from './types.js';

/** A deployment still moving (a halted one may resume): its page follows it. */
export const LIVE = new Set(['planned', 'running']);

export function useDeployments(status: string) {
  return useQuery({
    queryKey: keys.deployments.list(status),
    queryFn: () => api.get<DeploymentList>(endpoints.deployments, { status, limit: 200 }),
    refetchInterval: 5_000,
  });
}

export function useDeployment(id: number) {
  return useQuery({
    queryKey: keys.deployments.detail(id),
    queryFn: () => api.get<DeploymentView>(endpoints.deployment(id)),
    refetchInterval: (query) =>
      query.state.data && !LIVE.has(query.state.data.status) && query.state.data.status !== 'halted'
        ? false
        : 2_000,
  });
}

const create = (body: DeploymentCreate) => api.post<DeploymentView>(endpoints.deployments, body);

/** Starts one deployment (from a policy, or packages on hosts). */
export function useStartDeployment(opts: ChangeOptions<DeploymentView, DeploymentCreate> = {}) {
  return useChange('deployment.change', create, opts);
}

/** Starts several manual deployments one after the other (hosts that install different packages). */
export function useStartDeployments(opts: ChangeOptions<DeploymentView[], DeploymentCreate[]> = {}) {
  return useChange(
    'deployment.change',
    async (bodies: DeploymentCreate[]) => {
      const made: DeploymentView[] = [];
      for (const b of bodies) made.push(await create(b));
      return made;
    },
    opts,
  );
}

export function useSteerDeployment(id: number) {
  return useChange(
    'deployment.change',
    (action: 'halt' | 'resume' | 'cancel') =>
      api.post<DeploymentView>(endpoints.deploymentAction(id, action), {}),
    { update: (qc, d) => qc.setQueryData(keys.deployments.detail(id), d) },
  );
}

/** Rolls back the deployment (one host of it when given): a new deployment. */
export function useRollback(id: number, opts: ChangeOptions<DeploymentView, number | undefined> = {}) {
  return useChange(
    'deployment.change',
    (hostId: number | undefined) =>
      api.post<DeploymentView>(endpoints.deploymentAction(id, 'rollback'), hostId ? { hostId } : {}),
    opts,
  );
}
