/**
 * Remediation, apart from HTTP: a host's patch catalogue (its offered updates,
 * classified against its open findings), and the fleet's remediation plan
 * ("updating X to V closes N findings on M hosts", X a source package whose
 * binary packages are updated together), ordered by the risk removed.
 */
import {
  classifyUpdates,
  greedyPlan,
  RemediationBuilder,
  remediations,
  schemeOfManager,
  type PlanStep,
  type RemediationFinding,
  type RemediationHost,
  type RemediationTarget,
  type Severity,
  PatchloopError,
} from '@patchloop/core';
import type { CatalogueList, Remediation } from '@patchloop/contracts';
import {
  getHost,
  openFindingsForCatalogue,
  remediationInputBatches,
  remediationInputsKey,
  remediationInputsOfSource,
  type RemediationFindingRow,
  type RemediationHostRow,
  type Queryable,
} from '@patchloop/store';
import type { ServerContext } from '../context.js';

/** The updates offered to a host, classified; `collected: false` when its agent reports none. */
export async function hostCatalogue(ctx: ServerContext, hostId: number): Promise<CatalogueList> {
  const h = await getHost(ctx.db, hostId);
  if (!h) throw new PatchloopError('PL_NOT_FOUND', `no host ${hostId}`);
  const scheme = schemeOfManager(h.packageManager);
  if (!scheme || h.updates === null) return { items: [], collected: false };
  const updates = h.updates.map(({ name, ...u }) => ({ ...u, package: name }));
  const findings = await openFindingsForCatalogue(ctx.db, h.id);
  const items = classifyUpdates(scheme, updates, findings).map((i) => ({ ...i, closes: [...i.closes] }));
  return { items, collected: true };
}

export interface RemediationPlan {
  /** Steps shown (all, or those of the one source package asked for). */
  readonly total: number;
  /** The risk the whole plan removes. */
  readonly totalRisk: number;
  /** Steps [offset, offset + limit) as the API shows them. */
  page(offset: number, limit: number): Remediation[];
}

const plural = (n: number, one: string) => `${n} ${one}${n === 1 ? '' : 's'}`;

type Inputs = {
  hosts: readonly (RemediationHostRow & { weight?: number })[];
  findings: readonly RemediationFindingRow[];
};

/** core's view of hosts with a package manager it knows, and of their findings. */
function coreInputs(input: Inputs): [RemediationHost[], RemediationFinding[]] {
  const hosts = input.hosts.flatMap((h) => {
    const versionScheme = schemeOfManager(h.packageManager);
    return versionScheme
      ? [
          {
            hostId: h.id,
            versionScheme,
            candidates: new Map(h.updates.map((u) => [u.name, u.candidateVersion])),
            ...(h.weight === undefined ? {} : { weight: h.weight }),
          },
        ]
      : [];
  });
  const findings = input.findings.map((f) => ({
    ...f,
    risk: f.riskScore ?? 0,
    severity: f.severity as Severity | null,
  }));
  return [hosts, findings];
}

/** The fleet's plan at `now`, computed (fleetPlan keeps it). */
export async function computeFleetPlan(
  q: Queryable,
  now: Date,
): Promise<{ steps: PlanStep[]; totalRisk: number }> {
  const builder = new RemediationBuilder(() => false);
  for await (const batch of remediationInputBatches(q, now)) builder.add(...coreInputs(batch));
  const items = builder.result();
  return greedyPlan(items, items.length);
}

/**
 * The fleet's plan (no per-host targets), computed from one host per class (remediationInputBatches:
 * hosts with the same findings and updates are added once, with their number), a batch at a time
 * (bounded memory), and kept per context by remediationInputsKey: while no host's findings, updates,
 * groups or retirement and no exception in force change, every request and every CSV page reuses it.
 * Concurrent requests for the same key share one computation.
 */
const plans = new WeakMap<
  ServerContext,
  { key: string; plan: Promise<{ steps: PlanStep[]; totalRisk: number }> }
>();

async function fleetPlan(ctx: ServerContext, now: Date): Promise<{ steps: PlanStep[]; totalRisk: number }> {
  const key = await remediationInputsKey(ctx.db, now);
  const cached = plans.get(ctx);
  if (cached?.key === key) return cached.plan;
  const plan = computeFleetPlan(ctx.db, now);
  plans.set(ctx, { key, plan });
  plan.catch(() => {
    if (plans.get(ctx)?.plan === plan) plans.delete(ctx);
  });
  return plan;
}

/**
 * The fleet's remediation plan now. The cumulative figures are over the whole plan, whichever
 * page or package is shown; with `pkg`, only that source package's step, with what to install on each host.
 */
export async function remediationPlan(ctx: ServerContext, pkg: string | undefined): Promise<RemediationPlan> {
  const now = ctx.now();
  const plan = await fleetPlan(ctx, now);
  let steps = plan.steps;
  const targets = new Map<string, RemediationTarget[]>();
  const names = new Map<number, string>();
  if (pkg !== undefined) {
    steps = plan.steps.filter((s) => s.package === pkg);
    if (steps.length > 0) {
      // Only this source package's findings, on the hosts that have them: what to install where.
      const input = await remediationInputsOfSource(ctx.db, now, pkg, [
        ...new Set(steps.flatMap((s) => s.binaries)),
      ]);
      for (const h of input.hosts) names.set(h.id, h.hostname);
      for (const r of remediations(...coreInputs(input))) targets.set(r.toVersion, [...r.targets]);
    }
  }
  const view = (s: PlanStep): Remediation => ({
    package: s.package,
    toVersion: s.toVersion,
    binaries: [...s.binaries],
    hosts: s.hosts,
    findings: s.findings,
    riskRemoved: s.riskRemoved,
    kev: s.kev,
    severity: s.severity,
    advisories: [...s.advisories],
    summary: `updating ${s.package} to ${s.toVersion} closes ${plural(s.findings, 'finding')} on ${plural(s.hosts, 'host')}`,
    cumulativeRisk: s.cumulativeRisk,
    cumulativeShare: s.cumulativeShare,
    ...(pkg === undefined
      ? {}
      : {
          targets: (targets.get(s.toVersion) ?? []).map((t) => ({
            hostId: t.hostId,
            hostname: names.get(t.hostId) ?? `#${t.hostId}`,
            packages: t.packages.map((p) => ({ ...p })),
          })),
        }),
  });
  return {
    total: steps.length,
    totalRisk: plan.totalRisk,
    page: (offset, limit) => steps.slice(offset, offset + limit).map(view),
  };
}
