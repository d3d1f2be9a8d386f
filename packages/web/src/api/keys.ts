/**
 * Query keys, one factory per resource. Every key starts with its resource,
 * so invalidating a prefix reaches every view of it: `['findings']` is the
 * fleet's findings list and each host's findings tab, `['deployments']` the
 * list, each deployment and each host's deployment history, `['hosts']` the
 * list, the host picker and each host's page (with its packages and updates).
 */
import type { Query } from './client.js';

export const keys = {
  all: [] as const,
  dashboard: ['dashboard'] as const,
  hosts: {
    all: ['hosts'] as const,
    list: (q: Query) => ['hosts', 'list', q] as const,
    picker: (search: string) => ['hosts', 'picker', search] as const,
    detail: (id: number) => ['hosts', 'detail', id] as const,
    packages: (id: number) => ['hosts', 'packages', id] as const,
    updates: (id: number) => ['hosts', 'updates', id] as const,
  },
  findings: {
    all: ['findings'] as const,
    list: (q: Query) => ['findings', 'list', q] as const,
    ofHost: (id: number, q: Query) => ['findings', 'host', id, q] as const,
  },
  vulnerabilities: {
    all: ['vulnerabilities'] as const,
    list: (q: Query) => ['vulnerabilities', 'list', q] as const,
  },
  remediations: {
    all: ['remediations'] as const,
    list: (q: Query) => ['remediations', 'list', q] as const,
    ofPackage: (pkg: string) => ['remediations', 'package', pkg] as const,
  },
  exceptions: {
    all: ['exceptions'] as const,
    list: (status: string) => ['exceptions', 'list', status] as const,
  },
  policies: {
    all: ['policies'] as const,
    list: ['policies', 'list'] as const,
    detail: (name: string) => ['policies', 'detail', name] as const,
  },
  deployments: {
    all: ['deployments'] as const,
    list: (status: string) => ['deployments', 'list', status] as const,
    detail: (id: number) => ['deployments', 'detail', id] as const,
    /** A page of its hosts after the first (the first page is `detail`). */
    page: (id: number, after: string) => ['deployments', 'detail', id, 'after', after] as const,
    task: (id: number, taskId: string) => ['deployments', 'detail', id, 'task', taskId] as const,
    ofHost: (id: number) => ['deployments', 'host', id] as const,
  },
  audit: {
    all: ['audit'] as const,
    list: (q: Query) => ['audit', 'list', q] as const,
    ofHost: (id: number) => ['audit', 'host', id] as const,
  },
  feeds: ['feeds'] as const,
  settings: {
    enrollment: ['settings', 'enrollment'] as const,
    risk: ['settings', 'risk'] as const,
  },
  users: ['users'] as const,
  tokens: ['tokens'] as const,
} as const;

export type QueryKey = readonly unknown[];
