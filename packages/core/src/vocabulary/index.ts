/**
 * The words the domain, the API and the console share, each list defined once
 * here: host criticality, environment and user risk, the roles of people and
 * tokens, severities. contracts re-exports them for its schemas; the console
 * imports them as `@patchloop/core/vocabulary` (this module imports nothing, so
 * it is safe in the browser and costs the bundle a few bytes).
 */

/** Host criticality tier: tier0 is the most critical (domain controllers, payment), tier2 the default. */
export const CRITICALITIES = ['tier0', 'tier1', 'tier2', 'tier3'] as const;
export type Criticality = (typeof CRITICALITIES)[number];

export const ENVIRONMENTS = ['production', 'staging', 'development', 'test'] as const;
export type Environment = (typeof ENVIRONMENTS)[number];

/** Risk class of the host's users (executives and people who share many files are `high`). */
export const USER_RISKS = ['standard', 'elevated', 'high'] as const;
export type UserRisk = (typeof USER_RISKS)[number];

/** Who may do what, most rights first: each role can do what the roles after it can. */
export const ROLES = ['admin', 'operator', 'auditor'] as const;
export type Role = (typeof ROLES)[number];

/** A vendor's (or CVSS's) severity, least first. */
export const SEVERITIES = ['none', 'low', 'medium', 'high', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

/**
 * The severities a finding is counted and filtered by, most severe first:
 * `unknown` when the advisory gives none (a `none` severity is not listed).
 */
export const FINDING_SEVERITIES = ['critical', 'high', 'medium', 'low', 'unknown'] as const;
export type FindingSeverity = (typeof FINDING_SEVERITIES)[number];

/** A finding's priority, most urgent first. */
export const PRIORITIES = ['P1', 'P2', 'P3', 'P4'] as const;
export type Priority = (typeof PRIORITIES)[number];

/** A host's patch status, in precedence order (remediation/patch-status.ts decides it). */
export const PATCH_STATUSES = [
  'security-updates-pending',
  'reboot-pending',
  'updates-pending',
  'not-assessed',
  'up-to-date',
] as const;
export type PatchStatus = (typeof PATCH_STATUSES)[number];
