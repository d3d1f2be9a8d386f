/**
 * What a policy would do at an instant, host by host: which updates it would
 * deploy (to which version, closing which advisories), what it holds and why,
 * and whether the host deploys now or waits for its ring or the window.
 * Deterministic: the same input gives the same output, sorted.
 */
import type { Classification, Severity } from '../advisory/model.js';
import { schemeFor } from '../version/list.js';
import type { VersionScheme } from '../version/scheme.js';
import { decideFix, DEPLOYABLE_PACKAGE_NAME, pastPin, pinFor } from './approve.js';
import type { FixCandidate, HoldReason, PolicyException } from './approve.js';
import type { PolicyDocument, PolicyHost } from './model.js';
import { lostHosts, matchesSelector, policyForHost, ringForHost, type LostHost } from './select.js';
import { windowState } from './window.js';

export interface SimFinding {
  readonly advisoryId: string;
  readonly aliases: readonly string[];
  readonly package: string;
  readonly sourcePackage: string;
  readonly installedVersion: string;
  readonly fixedVersion: string | null;
  readonly status: 'fixable' | 'unfixed';
  readonly severity: Severity | null;
  readonly classification: Classification;
  readonly kev: boolean;
  /** The advisory's date: "YYYY-MM-DD" or ISO 8601. */
  readonly published: string | null;
}

/** An update the agent reports as installable. */
export interface SimUpdate {
  readonly package: string;
  readonly sourcePackage?: string;
  readonly candidateVersion: string;
  readonly classification: Classification | null;
  /** From a security source (apt -security suite, dnf updateinfo security). */
  readonly security: boolean;
  readonly releaseDate: string | null;
}

export interface SimHost extends PolicyHost {
  /** Null when the host has no package manager (then it is not deployable either). */
  readonly versionScheme: 'debian' | 'rpm' | 'apk' | null;
  /** Why a deployment cannot run on the host (core/deploy `notDeployableReason`); absent when it can. */
  readonly notDeployable?: string | null;
  readonly findings: readonly SimFinding[];
  readonly updates: readonly SimUpdate[];
  /** Risk exceptions that apply to this host (approved ones; expiry is checked here). */
  readonly exceptions: readonly PolicyException[];
  /**
   * Hosts with one key have the same version scheme, findings, updates and exceptions (the caller
   * vouches for it): with `SimulationInput.plans`, what to install on them is decided once.
   */
  readonly planKey?: string | null;
}

/** What a policy plans for one host: the updates it installs and the fixes it holds back. */
export interface HostPlan {
  readonly updates: readonly PlannedUpdate[];
  readonly held: readonly HeldFix[];
}

/** Plans a simulation keeps by `planKey` (the least recently used go past this many). */
export const PLAN_CACHE = 256;

export interface SimulationInput {
  readonly policy: PolicyDocument;
  readonly at: Date;
  readonly hosts: readonly SimHost[];
  /** Rings whose deployment has finished (and baked); none before any deployment. */
  readonly completedRings?: readonly string[];
  /** Every policy, when given: a host another policy takes precedence for is left out. */
  readonly policies?: readonly PolicyDocument[];
  /**
   * Plans by host `planKey`, for this policy and instant only (a caller simulating a fleet a batch at
   * a time passes one map to every batch); at most PLAN_CACHE are kept.
   */
  readonly plans?: Map<string, HostPlan>;
}

/** `not-deployable`: the host cannot run a deployment (no agent, no package manager); never planned. */
export type HostAction = 'deploy' | 'wait-window' | 'wait-ring' | 'nothing' | 'not-deployable';

export interface PlannedUpdate {
  readonly package: string;
  readonly sourcePackage: string;
  readonly toVersion: string;
  /** Advisories the update closes (none for an update without an advisory). */
  readonly advisories: readonly string[];
}

export interface HeldFix {
  readonly package: string;
  /** null for an update without an advisory. */
  readonly advisory: string | null;
  readonly reason: HoldReason;
  readonly detail: string;
}

export interface SimulatedHost {
  /** The host's id: hostnames need not be unique (cloned VMs, `localhost`), ids are. */
  readonly hostId: number;
  readonly hostname: string;
  readonly ring: string;
  readonly action: HostAction;
  /** Why the host is not deployable (action `not-deployable`); absent otherwise. */
  readonly notDeployable?: string;
  /** What the policy would approve; for a host that is not deployable, what it needs (never deployed). */
  readonly updates: readonly PlannedUpdate[];
  readonly held: readonly HeldFix[];
}

export interface Simulation {
  readonly policy: string;
  readonly at: string;
  readonly window: { open: boolean; start: string | null; end: string | null; next: string | null };
  readonly hosts: readonly SimulatedHost[];
  /** Hosts the policy selects that another policy governs (precedence), with that policy; empty without `policies`. */
  readonly lost: readonly LostHost[];
}

const byText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

function highest(scheme: VersionScheme<unknown>, versions: readonly string[]): string {
  return versions.reduce((best, v) => (scheme.compare(v, best) > 0 ? v : best));
}

function planHost(policy: PolicyDocument, host: SimHost & { versionScheme: string }, at: Date) {
  const scheme = schemeFor(host.versionScheme);
  const ctx = { at, scheme, exceptions: host.exceptions };
  const held = new Map<string, HeldFix>();
  const approved = new Map<string, SimFinding[]>();
  const withFindings = new Set<string>();
  for (const f of host.findings) {
    if (f.status !== 'fixable' || f.fixedVersion === null) continue;
    withFindings.add(f.package);
    const fix: FixCandidate = { ...f, version: f.fixedVersion };
    const d = decideFix(policy, fix, ctx);
    if (d.approved) approved.set(f.package, [...(approved.get(f.package) ?? []), f]);
    else
      held.set(`${f.package}\0${f.advisoryId}`, {
        package: f.package,
        advisory: f.advisoryId,
        reason: d.reason,
        detail: d.detail,
      });
  }

  const candidates = new Map(host.updates.map((u) => [u.package, u]));
  const updates: PlannedUpdate[] = [];
  for (const [pkg, fixes] of approved) {
    const first = fixes[0] as SimFinding;
    const needed = highest(
      scheme,
      fixes.map((f) => f.fixedVersion as string),
    );
    const candidate = candidates.get(pkg)?.candidateVersion;
    const pin = pinFor(policy, pkg, first.sourcePackage);
    const useCandidate =
      candidate !== undefined &&
      scheme.validate(candidate) === null &&
      scheme.compare(candidate, needed) >= 0 &&
      (pin === null || !pastPin(scheme, candidate, pin));
    const advisories = [...new Set(fixes.map((f) => f.advisoryId))].sort(byText);
    updates.push({
      package: pkg,
      sourcePackage: first.sourcePackage,
      toVersion: useCandidate ? candidate : needed,
      advisories,
    });
  }

  // Updates for packages no fixable finding names: approved on their own classification and release date.
  for (const u of host.updates) {
    if (withFindings.has(u.package) || scheme.validate(u.candidateVersion) !== null) continue;
    const sourcePackage = u.sourcePackage ?? u.package;
    const fix: FixCandidate = {
      advisoryId: null,
      aliases: [],
      package: u.package,
      sourcePackage,
      version: u.candidateVersion,
      classification: u.classification,
      severity: null,
      kev: false,
      published: u.releaseDate,
    };
    const d = decideFix(policy, fix, { ...ctx, security: u.security });
    if (d.approved)
      updates.push({ package: u.package, sourcePackage, toVersion: u.candidateVersion, advisories: [] });
    else
      held.set(`${u.package}\0`, { package: u.package, advisory: null, reason: d.reason, detail: d.detail });
  }

  // A name that could be read as an option or a shell word (an agent reported it; it is what is
  // installed) is never put in a job: held, so the host's other updates still deploy.
  for (const u of updates.filter((x) => !DEPLOYABLE_PACKAGE_NAME.test(x.package))) {
    updates.splice(updates.indexOf(u), 1);
    held.set(`${u.package}\0`, {
      package: u.package,
      advisory: u.advisories[0] ?? null,
      reason: 'invalid-name',
      detail: 'the package name is not one a package manager would be given (option or shell characters)',
    });
  }
  updates.sort((a, b) => byText(a.package, b.package));
  const heldList = [...held.values()].sort(
    (a, b) => byText(a.package, b.package) || byText(a.advisory ?? '', b.advisory ?? ''),
  );
  return { updates, held: heldList };
}

/**
 * The hosts `policy` governs among `hosts` — those its selector matches and,
 * when every policy is given, for which no other takes precedence — in the
 * order a simulation lists them (hostname, then id). A caller simulating a
 * large fleet a batch at a time takes its batches from this list.
 */
export function governedHosts<H extends PolicyHost>(
  policy: PolicyDocument,
  hosts: readonly H[],
  policies?: readonly PolicyDocument[],
): H[] {
  return hosts
    .filter(
      (h) =>
        matchesSelector(policy.selector, h) &&
        (policies === undefined || policyForHost(policies, h)?.name === policy.name),
    )
    .sort((a, b) => byText(a.hostname, b.hostname) || a.id - b.id);
}

export function simulatePolicy(input: SimulationInput): Simulation {
  const { policy, at } = input;
  const window = windowState(policy.schedule, at);
  const completed = new Set(input.completedRings ?? []);
  const plans = input.plans;
  const plan = (host: SimHost): HostPlan => {
    if (host.versionScheme === null) return { updates: [], held: [] };
    const key = host.planKey ?? null;
    const kept = key === null ? undefined : plans?.get(key);
    if (kept && key !== null && plans) {
      plans.delete(key);
      plans.set(key, kept);
      return kept;
    }
    const made = planHost(policy, { ...host, versionScheme: host.versionScheme }, at);
    if (key !== null && plans) {
      plans.set(key, made);
      if (plans.size > PLAN_CACHE) plans.delete(plans.keys().next().value as string);
    }
    return made;
  };
  const hosts = governedHosts(policy, input.hosts, input.policies).map((host): SimulatedHost => {
    const ring = ringForHost(policy, host);
    const before = policy.rings.slice(0, policy.rings.indexOf(ring));
    const { updates, held } = plan(host);
    if (host.notDeployable)
      return {
        hostId: host.id,
        hostname: host.hostname,
        ring: ring.name,
        action: 'not-deployable',
        notDeployable: host.notDeployable,
        updates,
        held,
      };
    const action: HostAction =
      updates.length === 0
        ? 'nothing'
        : before.some((r) => !completed.has(r.name))
          ? 'wait-ring'
          : window.open
            ? 'deploy'
            : 'wait-window';
    return { hostId: host.id, hostname: host.hostname, ring: ring.name, action, updates, held };
  });
  const iso = (d: Date | null) => (d === null ? null : d.toISOString());
  return {
    policy: policy.name,
    at: at.toISOString(),
    window: { open: window.open, start: iso(window.start), end: iso(window.end), next: iso(window.next) },
    hosts,
    lost: input.policies === undefined ? [] : lostHosts(policy, input.policies, input.hosts),
  };
}
