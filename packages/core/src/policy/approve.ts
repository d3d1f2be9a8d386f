/**
 * Whether a policy approves one fix (an advisory's fix for a package, or an
 * update the agent reports without an advisory) at an instant, or why it
 * holds it. The checks run in this order and the first that holds wins:
 * excluded (package glob) → exception (an active risk exception) →
 * not-approved (classification, minimum severity) → pinned (the version
 * needed is past the pin) → deferred (too recently published; KEV fixes skip
 * this when kevImmediately).
 */
import type { Classification, Severity } from '../advisory/model.js';
import type { VersionScheme } from '../version/scheme.js';
import type { PolicyClassification, PolicyDocument } from './model.js';
import { DAY_MS, matchesAnyGlob } from './values.js';

export type HoldReason = 'deferred' | 'excluded' | 'pinned' | 'not-approved' | 'exception' | 'invalid-name';

/**
 * What a package name must look like to be put in a job (the job protocol's
 * pattern: no option, space, quote or shell character). An agent may report
 * anything it finds installed; a name outside this is never deployed.
 */
export const DEPLOYABLE_PACKAGE_NAME = /^[A-Za-z0-9][A-Za-z0-9+._:~-]{0,255}$/;

export interface FixCandidate {
  /** null for an update without an advisory. */
  readonly advisoryId: string | null;
  /** Other ids of the advisory (CVE ids): exceptions may name any of them. */
  readonly aliases: readonly string[];
  /** Binary package name. */
  readonly package: string;
  readonly sourcePackage: string;
  /** The version the fix needs (the advisory's fixed version, or the update's candidate version). */
  readonly version: string;
  /** null: unknown (an update the package manager does not classify). */
  readonly classification: Classification | null;
  readonly severity: Severity | null;
  readonly kev: boolean;
  /** The advisory's date (or the update's release date): "YYYY-MM-DD" or an ISO 8601 time; null unknown. */
  readonly published: string | null;
}

/** A risk exception as policies see it; null fields match everything. */
export interface PolicyException {
  readonly advisoryId: string | null;
  readonly package: string | null;
  /** ISO 8601; the exception holds fixes until this instant (exclusive). */
  readonly expiresAt: string;
}

export type FixDecision =
  | { readonly approved: true }
  | { readonly approved: false; readonly reason: HoldReason; readonly detail: string };

const SEVERITY_RANK: Readonly<Record<Severity, number>> = {
  none: 0,
  low: 1,
  medium: 2,
  high: 3,
  critical: 4,
};

/**
 * Advisory classification as a policy names it. An update the package
 * manager does not classify counts as security when it comes from a
 * security source, else as a bugfix (what stable updates are).
 */
export function policyClassification(c: Classification | null, security = false): PolicyClassification {
  if (c === 'enhancement') return 'feature';
  return c ?? (security ? 'security' : 'bugfix');
}

/** "YYYY-MM-DD" (UTC midnight) or an ISO 8601 time → Date; null when absent or unreadable. */
export function publishedAt(published: string | null): Date | null {
  if (published === null) return null;
  const t = Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(published) ? `${published}T00:00:00Z` : published);
  return Number.isNaN(t) ? null : new Date(t);
}

/** When the deferral of a fix ends (published + deferDays); null when its date is unknown. */
export function approvedFrom(policy: PolicyDocument, fix: Pick<FixCandidate, 'published'>): Date | null {
  const published = publishedAt(fix.published);
  return published === null ? null : new Date(published.getTime() + policy.approve.deferDays * DAY_MS);
}

/** The pin for a package: by binary name first, then by source package name. */
export function pinFor(policy: PolicyDocument, pkg: string, sourcePackage: string): string | null {
  return policy.pin[pkg] ?? policy.pin[sourcePackage] ?? null;
}

/** Whether `version` is past the pin; a pin the host's scheme cannot read holds everything (fail safe). */
export function pastPin(scheme: VersionScheme<unknown>, version: string, pin: string): boolean {
  if (scheme.validate(pin) !== null || scheme.validate(version) !== null) return true;
  return scheme.compare(version, pin) > 0;
}

const sameId = (a: string, b: string) => a.toUpperCase() === b.toUpperCase();

/** The first exception that covers the fix and has not expired at `at`. */
export function activeException(
  exceptions: readonly PolicyException[],
  fix: Pick<FixCandidate, 'advisoryId' | 'aliases' | 'package' | 'sourcePackage'>,
  at: Date,
): PolicyException | null {
  const ids = fix.advisoryId === null ? [] : [fix.advisoryId, ...fix.aliases];
  return (
    exceptions.find((e) => {
      const expires = Date.parse(e.expiresAt);
      if (Number.isNaN(expires) || at.getTime() >= expires) return false;
      if (e.advisoryId !== null && !ids.some((id) => sameId(id, e.advisoryId as string))) return false;
      return e.package === null || e.package === fix.package || e.package === fix.sourcePackage;
    }) ?? null
  );
}

export interface DecideContext {
  readonly at: Date;
  readonly scheme: VersionScheme<unknown>;
  readonly exceptions: readonly PolicyException[];
  /** For updates without a classification: whether they come from a security source. */
  readonly security?: boolean;
}

const hold = (reason: HoldReason, detail: string): FixDecision => ({ approved: false, reason, detail });

export function decideFix(policy: PolicyDocument, fix: FixCandidate, ctx: DecideContext): FixDecision {
  const glob = matchesAnyGlob(policy.exclude.packages, fix.package);
  if (glob !== null) return hold('excluded', `package matches exclude ${JSON.stringify(glob)}`);

  const exception = activeException(ctx.exceptions, fix, ctx.at);
  if (exception !== null) return hold('exception', `risk exception until ${exception.expiresAt}`);

  const cls = policyClassification(fix.classification, ctx.security);
  if (!policy.approve.classifications.includes(cls)) {
    return hold(
      'not-approved',
      `classification ${cls} is not approved (${policy.approve.classifications.join(', ')})`,
    );
  }
  const floor = policy.approve.minSeverity;
  if (
    cls === 'security' &&
    floor !== null &&
    (fix.severity === null || SEVERITY_RANK[fix.severity] < SEVERITY_RANK[floor])
  ) {
    return hold('not-approved', `severity ${fix.severity ?? 'unknown'} is below ${floor}`);
  }

  const pin = pinFor(policy, fix.package, fix.sourcePackage);
  if (pin !== null && pastPin(ctx.scheme, fix.version, pin)) {
    return hold('pinned', `needs ${fix.version}, pinned at ${pin}`);
  }

  if (fix.kev && policy.approve.kevImmediately) return { approved: true };
  if (policy.approve.deferDays === 0) return { approved: true };
  const from = approvedFrom(policy, fix);
  if (from === null)
    return hold('deferred', `publication date unknown, deferDays ${policy.approve.deferDays}`);
  if (ctx.at.getTime() < from.getTime()) return hold('deferred', `approved from ${from.toISOString()}`);
  return { approved: true };
}
