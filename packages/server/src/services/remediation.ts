/**
 * Remediation, apart from HTTP: a host's patch catalogue (its offered updates,
 * classified against its open findings), and the fleet's remediation plan
 * ("updating X to V closes N findings on M hosts", X a source package whose
 * binary packages are updated together), ordered by the risk removed.
 */
import {
  classifyUpdates,
  greedyPlan,
  remediations,
  schemeOfManager,
  type PlanStep,
  type Severity,
  PatchloopError,
} from '@patchloop/core';
import type { CatalogueList, Remediation } from '@patchloop/contracts';
import { getHost, loadRemediationInputs, openFindingsForCatalogue } from '@patchloop/store';
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

/**
 * The fleet's remediation plan now. The cumulative figures are over the whole plan, whichever
 * page or package is shown; with `pkg`, only that source package's step, with what to install on each host.
 */
export async function remediationPlan(ctx: ServerContext, pkg: string | undefined): Promise<RemediationPlan> {
  const input = await loadRemediationInputs(ctx.db, ctx.now());
  const hosts = input.hosts.flatMap((h) => {
    const versionScheme = schemeOfManager(h.packageManager);
    return versionScheme
      ? [
          {
            hostId: h.id,
            versionScheme,
            candidates: new Map(h.updates.map((u) => [u.name, u.candidateVersion])),
          },
        ]
      : [];
  });
  const items = remediations(
    hosts,
    input.findings.map((f) => ({ ...f, risk: f.riskScore ?? 0, severity: f.severity as Severity | null })),
  );
  const plan = greedyPlan(items, items.length);
  const names = new Map(input.hosts.map((h) => [h.id, h.hostname]));
  const steps = pkg === undefined ? plan.steps : plan.steps.filter((s) => s.package === pkg);
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
          targets: s.targets.map((t) => ({
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
