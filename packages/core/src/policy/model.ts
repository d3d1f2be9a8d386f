/**
 * Policies as code: which hosts a policy governs, which fixes it approves and
 * when, what it never touches, the maintenance windows, the rollout rings and
 * the reboot rule. `parsePolicy` fills every default in, so code reading a
 * PolicyDocument never needs to. The document stays JSON data in its written
 * form (durations as "4h", concurrency as 5 or "20%"): `parsePolicy` accepts
 * its own output unchanged, so a stored normalized policy parses again.
 */

/** Policy classifications. Advisories say 'enhancement' where a policy says 'feature'. */
export const POLICY_CLASSIFICATIONS = ['security', 'bugfix', 'feature'] as const;
export type PolicyClassification = (typeof POLICY_CLASSIFICATIONS)[number];

export const POLICY_SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;
export type PolicySeverity = (typeof POLICY_SEVERITIES)[number];

export const REBOOT_MODES = ['never', 'if-required', 'always'] as const;
export type RebootMode = (typeof REBOOT_MODES)[number];

/**
 * One list per host attribute. A non-empty list is a condition that holds
 * when the host has any of its values (OR within a list); the conditions of a
 * selector must all hold (AND across lists). Empty lists hold for every host.
 * `os` entries are an os-release ID ("debian") or ID:VERSION_ID ("debian:12").
 */
export interface SelectorCriteria {
  readonly tags: readonly string[];
  readonly os: readonly string[];
  readonly groups: readonly string[];
  readonly hosts: readonly string[];
}

/** A selector; a host that meets any one value of `exclude` is never selected. */
export interface Selector extends SelectorCriteria {
  readonly exclude: SelectorCriteria;
}

export interface ApproveRules {
  /** Default ['security']. */
  readonly classifications: readonly PolicyClassification[];
  /** Security fixes below this severity (or of unknown severity) are not approved; null = no floor. */
  readonly minSeverity: PolicySeverity | null;
  /** Whole days after the advisory's (or the update's) publication before a fix is approved. Default 0. */
  readonly deferDays: number;
  /** Fixes for a CISA KEV vulnerability skip the deferral. Default true. */
  readonly kevImmediately: boolean;
}

export interface ExcludeRules {
  /** Globs (`*`, `?`) on binary package names. */
  readonly packages: readonly string[];
}

export interface MaintenanceWindow {
  /** Five-field cron expression: when each window opens, in `timezone`. */
  readonly cron: string;
  /** How long each window stays open: "30m", "4h", "1d", "1h30m". */
  readonly duration: string;
  /** IANA time zone; default 'UTC'. */
  readonly timezone: string;
}

export interface Schedule {
  /** null: no window restriction, only blackouts. */
  readonly window: MaintenanceWindow | null;
  /**
   * Days nothing is deployed: "YYYY-MM-DD" or "YYYY-MM-DD/YYYY-MM-DD"
   * (inclusive), as calendar days in the window's time zone (UTC without a window).
   */
  readonly blackout: readonly string[];
  /** Start a deployment of what the policy approves each time the window opens (default false). */
  readonly autoDeploy?: boolean;
}

export interface Ring {
  readonly name: string;
  /** Hosts of the ring; a host no ring selects goes to the last ring. */
  readonly selector: Selector;
  /** How long a finished ring is watched before the next starts ("24h"); null = not at all. */
  readonly bake: string | null;
  /** Share of the ring's hosts (0–1) that must succeed before the next ring starts. Default 1. */
  readonly minSuccess: number;
  /** At most this many hosts at once: a count or "20%" of the ring; null = no limit. */
  readonly maxConcurrency: number | string | null;
  /** Failed hosts tolerated before the rollout stops. Default 0. */
  readonly errorBudget: number;
}

export interface PolicyDocument {
  readonly name: string;
  readonly description: string | null;
  readonly selector: Selector;
  readonly approve: ApproveRules;
  readonly exclude: ExcludeRules;
  /** Package (binary or source name) → the highest version the policy may install. */
  readonly pin: Readonly<Record<string, string>>;
  /** null: deploy at any time. */
  readonly schedule: Schedule | null;
  /** Never empty; default [{ name: 'all', selector: {} }]. */
  readonly rings: readonly Ring[];
  /** Default 'if-required'. */
  readonly reboot: RebootMode;
  /** Shell scripts (`sh -c`) run on each host: `pre` before installing (non-zero skips the host), `post` after (non-zero fails it). */
  readonly scripts: { readonly pre: string | null; readonly post: string | null };
}

/** A host as policies see it. */
export interface PolicyHost {
  readonly id: number;
  readonly hostname: string;
  readonly os: { readonly id: string; readonly versionId: string | null };
  readonly tags: readonly string[];
  readonly groups: readonly string[];
}

/** One problem found validating a policy; line and column (1-based) when the YAML source says. */
export interface PolicyProblem {
  readonly path: string;
  readonly message: string;
  readonly line?: number;
  readonly column?: number;
}

export const EMPTY_CRITERIA: SelectorCriteria = { tags: [], os: [], groups: [], hosts: [] };
export const EMPTY_SELECTOR: Selector = { ...EMPTY_CRITERIA, exclude: EMPTY_CRITERIA };
