/**
 * The API answers the console's tests start from, as the contracts type
 * them: one builder per resource, each test overriding what it is about.
 */
import type { Dashboard, Finding, Host, HostSummary, Session } from '../api/types.js';

export const session = (o: Partial<Session> = {}): Session => ({
  username: 'alice',
  role: 'operator',
  expiresAt: null,
  csrfToken: 'csrf-abc',
  ...o,
});

export const NO_FINDINGS: HostSummary['findingCounts'] = {
  total: 0,
  fixable: 0,
  unfixed: 0,
  kev: 0,
  critical: 0,
  high: 0,
  medium: 0,
  low: 0,
  unknown: 0,
};

/** A Debian 10 agent host, assessed, up to date, with no finding. */
export function hostSummary(o: Partial<HostSummary> = {}): HostSummary {
  return {
    id: 7,
    hostname: 'web-1',
    os: { id: 'debian', versionId: '10', codename: 'buster', prettyName: null },
    tags: [],
    lastSeen: null,
    stale: false,
    packageCount: 1,
    findingCounts: NO_FINDINGS,
    rebootRequired: false,
    criticality: 'tier2',
    transport: 'agent',
    assessment: { state: 'assessed', reason: null },
    patchStatus: 'up-to-date',
    pendingUpdates: { security: 0, other: 0 },
    lastPatchedAt: null,
    eolStatus: null,
    ...o,
  } as HostSummary;
}

/** The host's page (GET /api/v1/hosts/:id) of `hostSummary`. */
export function hostDetail(o: Partial<Host> = {}): Host {
  return {
    ...hostSummary(),
    machineId: 'm-1',
    retired: null,
    arch: 'amd64',
    kernel: { running: null, newestInstalled: null },
    reboot: { required: false, reasons: [], packages: [] },
    agentVersion: '0.1.0',
    enrolledAt: '2030-01-01T00:00:00Z',
    lastInventoryAt: null,
    packageManager: 'dpkg',
    groups: [],
    environment: null,
    internetFacing: false,
    owner: null,
    userRisk: 'standard',
    eol: null,
    updatesAvailable: null,
    assessedAt: null,
    assessmentNote: null,
    ...o,
  } as Host;
}

/** DSA-5343-1 (openssl) on web-1: fixable, high, P2. */
export function finding(o: Partial<Finding> = {}): Finding {
  return {
    id: 31,
    hostId: 7,
    hostname: 'web-1',
    package: 'libssl1.1',
    arch: 'amd64',
    sourcePackage: 'openssl',
    installedVersion: '1.1.1d-0+deb10u3',
    fixedVersion: '1.1.1n-0+deb10u6',
    status: 'fixable',
    advisory: {
      id: 'DSA-5343-1',
      aliases: [],
      source: 'debian-dsa',
      url: null,
      modified: null,
      classification: 'security',
    },
    release: 'buster',
    severity: 'high',
    cvss: null,
    kev: null,
    epss: null,
    explanation: 'older',
    firstSeen: '2030-01-01T00:00:00Z',
    resolvedAt: null,
    risk: { score: 61, priority: 'P2', factors: [], explanation: 'high severity' },
    sla: { dueAt: '2030-02-01T00:00:00Z', basis: 'priority', state: 'open' },
    exception: null,
    ...o,
  } as Finding;
}

type Sections = {
  [K in keyof Dashboard]?: Dashboard[K] extends object ? Partial<Dashboard[K]> : Dashboard[K];
};

/** A healthy fleet of 10 hosts, all assessed and up to date; `o` overrides fields of each section. */
export function dashboard(o: Sections = {}): Dashboard {
  const base: Dashboard = {
    at: '2030-01-01T00:00:00Z',
    compliance: {
      at: '2030-01-01T00:00:00Z',
      byPriority: {},
      open: 0,
      excepted: 0,
      inScope: 0,
      breached: 0,
      dueSoon: 0,
      kev: 0,
      slaCompliance: 1,
      hostsWithBreaches: 0,
      hosts: { total: 10, assessed: 10, notAssessed: 0 },
      patch: { known: 10, upToDate: 10, compliance: 1 },
    },
    hosts: { total: 10, stale: 0, rebootRequired: 0, eol: 0, withKev: 0, notAssessed: 0 },
    patch: { securityUpdatesPending: 0, rebootPending: 0, updatesPending: 0, notAssessed: 0, upToDate: 10 },
    feeds: { imported: true, problems: [] },
    findings: { open: 0, kev: 0, breached: 0, byPriority: { P1: 0, P2: 0, P3: 0, P4: 0 } },
    trend: [],
  };
  return {
    ...base,
    ...(o.at !== undefined ? { at: o.at } : {}),
    compliance: { ...base.compliance, ...o.compliance },
    hosts: { ...base.hosts, ...o.hosts },
    patch: { ...base.patch, ...o.patch },
    feeds: { ...base.feeds, ...o.feeds },
    findings: { ...base.findings, ...o.findings },
    trend: (o.trend as Dashboard['trend'] | undefined) ?? base.trend,
  } as Dashboard;
}
