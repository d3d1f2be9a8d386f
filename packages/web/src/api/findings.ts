/** What the fleet is exposed to: findings, vulnerabilities, remediations and the dashboard. */
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { api, type Query } from './client.js';
import { endpoints } from './endpoints.js';
import { keys } from './keys.js';
import type { Dashboard, FindingList, RemediationList, VulnerabilityList } from './types.js';

export function useDashboard() {
  return useQuery({
    queryKey: keys.dashboard,
    queryFn: () => api.get<Dashboard>(endpoints.dashboard),
    refetchInterval: 30_000,
  });
}

export function useFindings(query: Query) {
  return useQuery({
    queryKey: keys.findings.list(query),
    queryFn: () => api.get<FindingList>(endpoints.findings, query),
    placeholderData: keepPreviousData,
  });
}

export function useVulnerabilities(query: Query) {
  return useQuery({
    queryKey: keys.vulnerabilities.list(query),
    queryFn: () => api.get<VulnerabilityList>(endpoints.vulnerabilities, query),
    placeholderData: keepPreviousData,
  });
}

export function useRemediations(query: Query) {
  return useQuery({
    queryKey: keys.remediations.list(query),
    queryFn: () => api.get<RemediationList>(endpoints.remediations, query),
    placeholderData: keepPreviousData,
  });
}

/** One source package's remediations with their targets: each host and what it installs. */
export function useRemediationTargets(pkg: string) {
  return useQuery({
    queryKey: keys.remediations.ofPackage(pkg),
    queryFn: () => api.get<RemediationList>(endpoints.remediations, { package: pkg, limit: 1000 }),
  });
}
