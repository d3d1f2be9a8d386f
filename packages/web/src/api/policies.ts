/** Policies as code: the list, one policy, saving and simulating it. */
import { useMutation, useQuery } from '@tanstack/react-query';
import { api } from './client.js';
import { endpoints } from './endpoints.js';
import { keys } from './keys.js';
import { useChange, type ChangeOptions } from './mutation.js';
import type { PolicyApplied, PolicyList, PolicyView, Simulation } from './types.js';

export function usePolicies() {
  return useQuery({ queryKey: keys.policies.list, queryFn: () => api.get<PolicyList>(endpoints.policies) });
}

export function usePolicy(name: string | undefined) {
  return useQuery({
    queryKey: keys.policies.detail(name ?? ''),
    queryFn: () => api.get<PolicyView>(endpoints.policy(name ?? '')),
    enabled: name !== undefined,
  });
}

/** Saves the YAML source of policy `name` (validated and versioned by the server). */
export function useSavePolicy(
  name: string,
  opts: ChangeOptions<PolicyApplied, string> & { onMutate?: () => void; onError?: (e: Error) => void } = {},
) {
  return useChange(
    'policy.save',
    (source: string) => api.put<PolicyApplied>(endpoints.policy(name), source),
    {
      ...opts,
      update: (qc, p) => qc.setQueryData(keys.policies.detail(p.name), p),
    },
  );
}

/** One page of a simulation: at an ISO time (now when undefined), hosts [offset, offset + limit). */
export interface SimulationRequest {
  readonly at?: string | undefined;
  readonly offset: number;
  readonly limit: number;
}

/** What the policy would do at an instant, a page of hosts at a time: reads, changes nothing. */
export function useSimulatePolicy(name: string) {
  return useMutation<Simulation, Error, SimulationRequest>({
    mutationFn: ({ at, offset, limit }) =>
      api.get<Simulation>(endpoints.policySimulation(name), {
        ...(at ? { at } : {}),
        offset: String(offset),
        limit: String(limit),
      }),
  });
}
