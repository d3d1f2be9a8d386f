/** Deployments: the list, one deployment live, starting and steering them. */
import { useQuery } from '@tanstack/react-query';
import { api } from './client.js';
import { endpoints } from './endpoints.js';
import { keys } from './keys.js';
import { useChange, type ChangeOptions } from './mutation.js';
import type { DeploymentCreate, DeploymentList, DeploymentTaskDetail, DeploymentView } from './types.js';

/** A deployment still moving (a halted one may resume): its page follows it. */
export const LIVE = new Set(['planned', 'running']);

export function useDeployments(status: string) {
  return useQuery({
    queryKey: keys.deployments.list(status),
    queryFn: () => api.get<DeploymentList>(endpoints.deployments, { status, limit: 200 }),
    refetchInterval: 5_000,
  });
}

/** Hosts per page of a deployment's view. */
export const HOSTS_PAGE = 200;

/** A deployment with one page of its hosts: the first, or the one after `after` (the view's hostsNext). */
export function useDeployment(id: number, after: string | null = null) {
  return useQuery({
    queryKey: after === null ? keys.deployments.detail(id) : keys.deployments.page(id, after),
    queryFn: () =>
      api.get<DeploymentView>(
        endpoints.deployment(id),
        after === null ? { limit: HOSTS_PAGE } : { limit: HOSTS_PAGE, after },
      ),
    refetchInterval: (query) =>
      query.state.data && !LIVE.has(query.state.data.status) && query.state.data.status !== 'halted'
        ? false
        : 2_000,
  });
}

/** One task of a deployment with its log (followed while the deployment moves). */
export function useDeploymentTask(id: number, taskId: string | null, live: boolean) {
  return useQuery({
    queryKey: keys.deployments.task(id, taskId ?? ''),
    queryFn: () => api.get<DeploymentTaskDetail>(endpoints.deploymentTask(id, taskId ?? '')),
    enabled: taskId !== null,
    refetchInterval: live ? 2_000 : false,
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
