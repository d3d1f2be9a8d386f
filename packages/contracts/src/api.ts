/**
 * REST API schemas (`/api/v1`). Responses are serialized from these schemas,
 * so a field that is not here never leaves the server.
 */
import { Type, type Static } from 'typebox';
import { HostFacts } from './agent-protocol.js';

import { DateTime, ListFormat, Nullable, Page, Paging, Tag } from './common.js';

import {
  CRITICALITIES,
  ENVIRONMENTS,
  FINDING_SEVERITIES,
  PATCH_STATUSES,
  PRIORITIES,
  ROLES,
  USER_RISKS,
} from '@patchloop/core/vocabulary';

// The vocabulary is core's (defined once there), under the names the schemas use.
export { CRITICALITIES as CRITICALITY, ENVIRONMENTS, PATCH_STATUSES, ROLES, USER_RISKS as USER_RISK };

export const Role = Type.Enum(ROLES);
export type Role = Static<typeof Role>;

/** Every error body: a stable code from docs/ERRORS.md and a sentence. */
export const ErrorResponse = Type.Object({
  error: Type.Object({ code: Type.String(), message: Type.String(), details: Type.Optional(Type.Unknown()) }),
});
export type ErrorResponse = Static<typeof ErrorResponse>;

export const ASSESSMENT_STATES = ['assessed', 'not-assessed'] as const;

export const FindingCounts = Type.Object({
  total: Type.Integer(),
  fixable: Type.Integer(),
  unfixed: Type.Integer(),
  kev: Type.Integer(),
  critical: Type.Integer(),
  high: Type.Integer(),
  medium: Type.Integer(),
  low: Type.Integer(),
  unknown: Type.Integer(),
});
export type FindingCounts = Static<typeof FindingCounts>;

export const EolStatus = Type.Object({
  status: Type.String(),
  product: Nullable(Type.String()),
  cycle: Nullable(Type.String()),
  eol: Nullable(Type.String()),
  extendedSupportEnd: Nullable(Type.String()),
  explanation: Type.String(),
});

/** A retired host: kept for history, out of current figures; its agent is refused. */
export const HostRetirement = Type.Object({
  at: DateTime,
  by: Type.String(),
  reason: Nullable(Type.String()),
});
export const HostRetire = Type.Object(
  { reason: Type.Optional(Type.String({ maxLength: 500 })) },
  { additionalProperties: false },
);

export const HostSummary = Type.Object({
  id: Type.Integer(),
  hostname: Type.String(),
  /** Another live host has the same hostname (cloned VMs, `localhost`): tell them apart by id or machine id. */
  duplicateName: Type.Boolean(),
  /** The machine's own id; null for an imported host, and hidden (null) from auditors. */
  machineId: Nullable(Type.String()),
  /** Set when the host was retired (only listed with retired=true or include=retired). */
  retired: Nullable(HostRetirement),
  os: HostFacts.properties.os,
  tags: Type.Array(Type.String()),
  lastSeen: Nullable(DateTime),
  stale: Type.Boolean(),
  packageCount: Type.Integer(),
  findingCounts: FindingCounts,
  rebootRequired: Type.Boolean(),
  criticality: Type.String(),
  transport: Type.String(),
  /**
   * Whether the host's findings were computed against advisories for its release. `not-assessed`
   * (with the reason): no inventory yet, an unsupported OS, or no advisories in the store for its
   * release; its 0 findings then mean nothing.
   */
  assessment: Type.Object({
    state: Type.Enum(ASSESSMENT_STATES),
    reason: Nullable(Type.String()),
  }),
  /** core's patchStatus (precedence in core/src/remediation/patch-status.ts). */
  patchStatus: Type.Enum(PATCH_STATUSES),
  /** Updates the package manager offers, security / other; null when not collected. */
  pendingUpdates: Nullable(Type.Object({ security: Type.Integer(), other: Type.Integer() })),
  /** The check-in (or import) that first showed an installed package at another version. */
  lastPatchedAt: Nullable(DateTime),
  /** End-of-life status of the host's release (Host.eol.status), null before assessment. */
  eolStatus: Nullable(Type.String()),
});
export type HostSummary = Static<typeof HostSummary>;

export const Host = Type.Object({
  ...HostSummary.properties,
  arch: Nullable(Type.String()),
  kernel: HostFacts.properties.kernel,
  reboot: HostFacts.properties.reboot,
  agentVersion: Nullable(Type.String()),
  enrolledAt: DateTime,
  lastInventoryAt: Nullable(DateTime),
  packageManager: Nullable(Type.String()),
  groups: Type.Array(Type.String()),
  environment: Nullable(Type.String()),
  internetFacing: Type.Boolean(),
  owner: Nullable(Type.String()),
  userRisk: Type.String(),
  eol: Nullable(EolStatus),
  updatesAvailable: Nullable(Type.Integer()),
  /** When the host's findings were last computed, and why they may be incomplete (no advisories for its release, unsupported OS). */
  assessedAt: Nullable(DateTime),
  assessmentNote: Nullable(Type.String()),
});
export type Host = Static<typeof Host>;

export const HostList = Page(HostSummary);

export const HostListQuery = Type.Object({
  ...Paging(50),
  format: ListFormat,
  /** Substring of the hostname. */
  q: Type.Optional(Type.String({ maxLength: 253 })),
  os: Type.Optional(Type.String({ maxLength: 64 })),
  tag: Type.Optional(Tag),
  criticality: Type.Optional(Type.String({ maxLength: 16 })),
  retired: Type.Optional(
    Type.Boolean({ description: 'true: only retired hosts (by default they are left out).' }),
  ),
  include: Type.Optional(
    Type.Literal('retired', { description: 'retired: retired hosts too, with the others.' }),
  ),
  stale: Type.Optional(Type.Boolean()),
  hasKev: Type.Optional(Type.Boolean()),
  reboot: Type.Optional(Type.Boolean({ description: "The host's last check-in says a reboot is required." })),
  eol: Type.Optional(
    Type.Boolean({
      description:
        "The host's release is past end of life: its end-of-life status (Host.eol.status) is `eol`; `security-support-ended` (extended support still running) does not count.",
    }),
  ),
  assessed: Type.Optional(
    Type.Boolean({ description: "The host's findings were computed against advisories for its release." }),
  ),
  patchStatus: Type.Optional(Type.Enum(PATCH_STATUSES)),
  /**
   * `criticality` ascending puts tier0 first; `packages` is the installed package count; `patchStatus`
   * ascending puts the most urgent first; `updates` is by pending security then other updates.
   */
  sort: Type.Optional(
    Type.Enum([
      'hostname',
      'lastSeen',
      'findings',
      'kev',
      'os',
      'criticality',
      'packages',
      'patchStatus',
      'updates',
      'lastPatched',
    ] as const),
  ),
  order: Type.Optional(Type.Union([Type.Literal('asc'), Type.Literal('desc')])),
});
export type HostListQuery = Static<typeof HostListQuery>;

export const HostPatch = Type.Object(
  {
    tags: Type.Optional(Type.Array(Tag, { maxItems: 64 })),
    groups: Type.Optional(Type.Array(Tag, { maxItems: 64 })),
    criticality: Type.Optional(Type.Enum(CRITICALITIES)),
    environment: Type.Optional(Nullable(Type.Enum(ENVIRONMENTS))),
    internetFacing: Type.Optional(Type.Boolean()),
    owner: Type.Optional(Nullable(Type.String({ maxLength: 256 }))),
    userRisk: Type.Optional(Type.Enum(USER_RISKS)),
  },
  { additionalProperties: false, minProperties: 1 },
);
export type HostPatch = Static<typeof HostPatch>;

/** POST /api/v1/hosts/tags: add and remove tags on many hosts at once (one transaction, all or nothing). */
export const HostTagsChange = Type.Object(
  {
    hostIds: Type.Array(Type.Integer({ minimum: 1 }), { minItems: 1, maxItems: 1000, uniqueItems: true }),
    add: Type.Optional(Type.Array(Tag, { maxItems: 64 })),
    remove: Type.Optional(Type.Array(Tag, { maxItems: 64 })),
  },
  {
    additionalProperties: false,
    description: 'At least one of add and remove names a tag; a tag may not be in both.',
    anyOf: [
      { required: ['add'], properties: { add: { minItems: 1 } } },
      { required: ['remove'], properties: { remove: { minItems: 1 } } },
    ],
  },
);
export type HostTagsChange = Static<typeof HostTagsChange>;
/** How many of the hosts' tags changed (hosts that already had them as asked are not counted). */
export const HostTagsResult = Type.Object({ updated: Type.Integer() });

/** An admin issues a one-time enrollment token for one host (re-enrolling it after its agent lost its credential). */
export const HostEnrollTokenCreate = Type.Object(
  { expiresInHours: Type.Optional(Type.Integer({ minimum: 1, maximum: 168 })) },
  { additionalProperties: false },
);
export type HostEnrollTokenCreate = Static<typeof HostEnrollTokenCreate>;
export const HostEnrollTokenCreated = Type.Object({
  hostId: Type.Integer(),
  /** Shown once; stored hashed. Single use: the agent gives it with --host-token (or PATCHLOOP_HOST_TOKEN). */
  token: Type.String(),
  expiresAt: DateTime,
});
export type HostEnrollTokenCreated = Static<typeof HostEnrollTokenCreated>;

export const PackageItem = Type.Object({
  name: Type.String(),
  version: Type.String(),
  arch: Type.String(),
  sourceName: Type.String(),
  sourceVersion: Type.String(),
  update: Nullable(
    Type.Object({
      candidateVersion: Type.String(),
      repository: Nullable(Type.String()),
      security: Type.Boolean(),
      classification: Nullable(Type.String()),
    }),
  ),
});
export const PackageList = Page(PackageItem);

/** A finding as `patchloop scan --format json` prints it, plus where and since when. */
export const Finding = Type.Object({
  id: Type.Integer(),
  hostId: Type.Integer(),
  hostname: Type.String(),
  package: Type.String(),
  arch: Nullable(Type.String()),
  sourcePackage: Type.String(),
  installedVersion: Type.String(),
  fixedVersion: Nullable(Type.String()),
  status: Type.String(),
  advisory: Type.Object({
    id: Type.String(),
    aliases: Type.Array(Type.String()),
    source: Type.String(),
    url: Nullable(Type.String()),
    modified: Nullable(Type.String()),
    classification: Type.String(),
  }),
  release: Nullable(Type.String()),
  severity: Nullable(Type.String()),
  cvss: Nullable(
    Type.Object({ score: Type.Number(), version: Type.String(), vector: Type.String(), cve: Type.String() }),
  ),
  kev: Nullable(
    Type.Object({
      cve: Type.String(),
      dateAdded: Type.String(),
      dueDate: Type.String(),
      ransomware: Type.Boolean(),
    }),
  ),
  epss: Nullable(Type.Object({ cve: Type.String(), score: Type.Number(), percentile: Type.Number() })),
  explanation: Type.String(),
  firstSeen: DateTime,
  resolvedAt: Nullable(DateTime),
  /** Risk 0–100 and priority with each factor's contribution (core/risk), null until assessed with risk. */
  risk: Nullable(
    Type.Object({
      score: Type.Number(),
      priority: Type.String(),
      factors: Type.Array(
        Type.Object({
          name: Type.String(),
          value: Type.String(),
          points: Type.Number(),
          explanation: Type.String(),
        }),
      ),
      explanation: Type.String(),
    }),
  ),
  /** SLA: when it is due and why (priority or the KEV due date), and where it stands now. */
  sla: Nullable(
    Type.Object({
      dueAt: DateTime,
      basis: Type.String(),
      state: Type.Enum(['open', 'due-soon', 'breached', 'met', 'missed'] as const),
    }),
  ),
  /** The active exception that takes the finding out of compliance figures, if any. */
  exception: Nullable(Type.Object({ id: Type.Integer(), kind: Type.String(), expiresAt: DateTime })),
});
export type Finding = Static<typeof Finding>;

export const FindingList = Page(Finding);

export const FindingQuery = Type.Object({
  ...Paging(100),
  format: ListFormat,
  severity: Type.Optional(Type.Enum(FINDING_SEVERITIES)),
  kev: Type.Optional(Type.Boolean()),
  status: Type.Optional(Type.Enum(['fixable', 'unfixed', 'resolved', 'open'] as const)),
  advisory: Type.Optional(Type.String({ maxLength: 128 })),
  package: Type.Optional(Type.String({ maxLength: 256 })),
  priority: Type.Optional(Type.Enum(PRIORITIES)),
  sla: Type.Optional(Type.Enum(['breached', 'due-soon', 'ok'] as const)),
  excepted: Type.Optional(Type.Boolean()),
  include: Type.Optional(
    Type.Literal('retired', { description: 'retired: the findings of retired hosts too.' }),
  ),
  sort: Type.Optional(Type.Enum(['risk', 'host'] as const)),
});
export type FindingQuery = Static<typeof FindingQuery>;

/** One advisory across the fleet; its hosts are GET /api/v1/findings?advisory=<advisory.id>. */
export const Vulnerability = Type.Object({
  advisory: Finding.properties.advisory,
  severity: Nullable(Type.String()),
  cvss: Finding.properties.cvss,
  kev: Finding.properties.kev,
  epss: Finding.properties.epss,
  hosts: Type.Integer(),
  packages: Type.Array(Type.String()),
  fixable: Type.Integer(),
  unfixed: Type.Integer(),
  /** The highest priority among its open findings (P1 highest), null when none is scored. */
  priority: Nullable(Type.Enum(PRIORITIES)),
  /** The earliest SLA due time among its open findings. */
  dueAt: Nullable(DateTime),
  /** The highest risk score among its open findings. */
  riskScore: Nullable(Type.Number()),
});
export type Vulnerability = Static<typeof Vulnerability>;
export const VulnerabilityList = Page(Vulnerability);
export const VulnerabilityQuery = Type.Object({
  ...Paging(100),
  format: ListFormat,
  kev: Type.Optional(Type.Boolean()),
  severity: FindingQuery.properties.severity,
  q: Type.Optional(
    Type.String({
      maxLength: 128,
      description: 'Substring, any case, of the advisory id or one of its aliases (CVE ids).',
    }),
  ),
  priority: Type.Optional(
    Type.Enum(PRIORITIES, {
      description: "Advisories whose highest open priority (the item's priority) is this one.",
    }),
  ),
  sla: Type.Optional(
    Type.Enum(['breached'] as const, {
      description: "Advisories with an open finding past its SLA due time (the item's dueAt is past).",
    }),
  ),
  sort: Type.Optional(
    Type.Enum(['risk', 'hosts', 'due'] as const, {
      description:
        'risk: highest riskScore first (default); hosts: most hosts first; due: earliest dueAt first.',
    }),
  ),
});
export type VulnerabilityQuery = Static<typeof VulnerabilityQuery>;

/** GET /api/v1/compliance: SLA figures over open findings, those under an active exception left out. */
export const Compliance = Type.Object({
  at: DateTime,
  /** Open findings, excepted ones included. */
  open: Type.Integer(),
  /** Open findings under an active exception. */
  excepted: Type.Integer(),
  /** open − excepted: the findings the figures below count. */
  inScope: Type.Integer(),
  breached: Type.Integer(),
  dueSoon: Type.Integer(),
  kev: Type.Integer(),
  /**
   * Share of in-scope open findings within their SLA (1 when there are none), over assessed hosts:
   * null when no host is assessed (no feeds, unsupported releases), since then nothing was measured.
   */
  slaCompliance: Nullable(Type.Number()),
  /** The hosts the figures cover: only assessed hosts have findings; the others are counted apart. */
  hosts: Type.Object({ total: Type.Integer(), assessed: Type.Integer(), notAssessed: Type.Integer() }),
  /**
   * Patch compliance: of the hosts whose updates are known (patch status other than `not-assessed`),
   * how many are `up-to-date`, and that share (null when none is known).
   */
  patch: Type.Object({
    known: Type.Integer(),
    upToDate: Type.Integer(),
    compliance: Nullable(Type.Number()),
  }),
  /** Per priority (`none`: not scored), in scope only. */
  byPriority: Type.Record(Type.String(), Type.Object({ open: Type.Integer(), breached: Type.Integer() })),
  hostsWithBreaches: Type.Integer(),
});
export type Compliance = Static<typeof Compliance>;

const Count = Type.Integer({ minimum: 0 });

/**
 * GET /api/v1/dashboard: what the console's dashboard shows. Each figure is
 * the `total` of the list it links to, counted by the same query:
 * hosts.stale = GET /api/v1/hosts?stale=true, rebootRequired = ?reboot=true,
 * eol = ?eol=true, withKev = ?hasKev=true, notAssessed = ?assessed=false,
 * patch.securityUpdatesPending = ?patchStatus=security-updates-pending (and
 * so on for each status); findings.open = GET
 * /api/v1/findings?status=open&excepted=false, kev = …&kev=true, breached =
 * …&sla=breached, byPriority.Px = …&priority=Px.
 */
export const Dashboard = Type.Object({
  at: DateTime,
  compliance: Compliance,
  hosts: Type.Object({
    total: Count,
    stale: Count,
    rebootRequired: Count,
    eol: Count,
    withKev: Count,
    /** GET /api/v1/hosts?assessed=false: hosts whose findings mean nothing yet (the reason is on each). */
    notAssessed: Count,
  }),
  /** GET /api/v1/hosts?patchStatus=…, one figure per patch status. */
  patch: Type.Object({
    securityUpdatesPending: Count,
    rebootPending: Count,
    updatesPending: Count,
    notAssessed: Count,
    upToDate: Count,
  }),
  /**
   * Feed health: `imported` once any source has been imported successfully; `problems` lists the
   * sources whose last run failed or that were tried and never succeeded (GET /api/v1/feeds).
   */
  feeds: Type.Object({
    imported: Type.Boolean(),
    problems: Type.Array(
      Type.Object({
        source: Type.String(),
        lastStatus: Nullable(Type.String()),
        lastImport: Nullable(Type.String()),
        lastSuccess: Nullable(Type.String()),
        lastError: Nullable(Type.String()),
        lastErrorCode: Nullable(Type.String()),
      }),
    ),
  }),
  findings: Type.Object({
    open: Count,
    kev: Count,
    breached: Count,
    byPriority: Type.Object({ P1: Count, P2: Count, P3: Count, P4: Count }),
  }),
  /**
   * Oldest day first, today last (at `at`): open, KEV and breached findings at the end of each UTC day,
   * findings under an exception left out (by today's exceptions, KEV flags and due times).
   */
  trend: Type.Array(
    Type.Object({
      date: Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$' }),
      open: Count,
      kev: Count,
      breached: Count,
    }),
  ),
});
export type Dashboard = Static<typeof Dashboard>;
export const DashboardQuery = Type.Object({
  /** How many days the trend covers, today included. */
  days: Type.Optional(Type.Integer({ minimum: 1, maximum: 365, default: 30 })),
});

export const Health = Type.Object({ status: Type.String() });
export const Ready = Type.Object({
  status: Type.String(),
  database: Type.String(),
  schemaVersion: Type.Integer(),
});
