/** Hosts: the fleet list, one host and its tabs, and what people change on them. */
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { api, type Query } from './client.js';
import { endpoints } from './endpoints.js';
import { keys } from './keys.js';
import { useChange, type ChangeOptions } from './mutation.js';
import type {
  AuditList,
  CatalogueList,
  FindingList,
  Host,
  HostDeploymentHistory,
  HostEnrollTokenCreated,
  HostList,
  HostPatch,
  HostTagsChange,
  HostTagsResult,
  PackageList,
} from './types.js';

export function useHosts(query: Query) {
  return useQuery({
    queryKey: keys.hosts.list(query),
    queryFn: () => api.get<HostList>(endpoints.hosts, query),
    placeholderData: keepPreviousData,
  });
}

/** Hosts whose name contains `search`, for picking one (the first `limit`). */
export function useHostSearch(search: string, limit: number, enabled: boolean) {
  return useQuery({
    queryKey: keys.hosts.picker(search),
    queryFn: () => api.get<HostList>(endpoints.hosts, { q: search, limit, sort: 'hostname', order: 'asc' }),
    enabled,
  });
}

export function useHost(id: number | undefined) {
  return useQuery({
    queryKey: keys.hosts.detail(id ?? 0),
    queryFn: () => api.get<Host>(endpoints.host(id ?? 0)),
    enabled: id !== undefined,
  });
}

export function useHostFindings(id: number, query: Query) {
  return useQuery({
    queryKey: keys.findings.ofHost(id, query),
    queryFn: () => api.get<FindingList>(endpoints.hostFindings(id), query),
    placeholderData: keepPreviousData,
  });
}

export function useHostPackages(id: number) {
  return useQuery({
    queryKey: keys.hosts.packages(id),
    queryFn: () => api.get<PackageList>(endpoints.hostPackages(id)),
  });
}

export function useHostUpdates(id: number) {
  return useQuery({
    queryKey: keys.hosts.updates(id),
    queryFn: () => api.get<CatalogueList>(endpoints.hostUpdates(id)),
  });
}

export function useHostDeployments(id: number) {
  return useQuery({
    queryKey: keys.deployments.ofHost(id),
    queryFn: () => api.get<HostDeploymentHistory>(endpoints.hostDeployments(id)),
  });
}

export function useHostAudit(id: number) {
  return useQuery({
    queryKey: keys.audit.ofHost(id),
    queryFn: () => api.get<AuditList>(endpoints.audit, { target: `host:${id}`, limit: 200 }),
  });
}

export function useTagHosts(opts: ChangeOptions<HostTagsResult, HostTagsChange> = {}) {
  return useChange('host.tags', (b: HostTagsChange) => api.post<HostTagsResult>(endpoints.hostTags, b), opts);
}

export function useEditHost(id: number, opts: ChangeOptions<Host, HostPatch> = {}) {
  return useChange('host.edit', (changes: HostPatch) => api.patch<Host>(endpoints.host(id), changes), {
    ...opts,
    update: (qc, h) => qc.setQueryData(keys.hosts.detail(id), h),
  });
}

export function useRetireHost(id: number, opts: ChangeOptions<Host, string> = {}) {
  return useChange(
    'host.lifecycle',
    (reason: string) =>
      api.post<Host>(endpoints.hostLifecycle(id, 'retire'), reason.trim() ? { reason } : {}),
    { ...opts, update: (qc, h) => qc.setQueryData(keys.hosts.detail(id), h) },
  );
}

export function useReinstateHost(id: number, opts: ChangeOptions<Host, void> = {}) {
  return useChange('host.lifecycle', () => api.post<Host>(endpoints.hostLifecycle(id, 'reinstate')), {
    ...opts,
    update: (qc, h) => qc.setQueryData(keys.hosts.detail(id), h),
  });
}

export function useDeleteHost(id: number, opts: ChangeOptions<void, void> = {}) {
  return useChange('host.lifecycle', () => api.del<void>(endpoints.host(id)), opts);
}

export function useIssueHostEnrollToken(id: number) {
  return useChange('host.enroll-token', () =>
    api.post<HostEnrollTokenCreated>(endpoints.hostEnrollToken(id), {}),
  );
}
