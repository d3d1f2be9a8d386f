/**
 * Remediation: which updates close the most risk. Each open, fixable finding
 * is closed by updating its package on its host to a target version — the
 * version the package manager offers when that is at least every fix the
 * host needs for the package, else the highest fixed version it needs. The
 * fleet view groups findings by (package, target version): "updating X to V
 * closes N findings on M hosts", ordered by the risk it removes. Pure.
 */
import { severityRank } from '../advisory/severity-order.js';
import type { Severity } from '../advisory/model.js';
import { schemeFor } from '../version/list.js';

export interface RemediationFinding {
  readonly hostId: number;
  readonly package: string;
  readonly fixedVersion: string;
  readonly advisoryId: string;
  /** The finding's risk score (0–100). */
  readonly risk: number;
  readonly kev: boolean;
  readonly severity: Severity | null;
}

export interface RemediationHost {
  readonly hostId: number;
  readonly versionScheme: 'debian' | 'rpm' | 'apk';
  /** Candidate versions the package manager offers, by binary package name. */
  readonly candidates: ReadonlyMap<string, string>;
}

export interface Remediation {
  readonly package: string;
  readonly toVersion: string;
  readonly hosts: number;
  readonly findings: number;
  /** Sum of the risk scores of the findings it closes. */
  readonly riskRemoved: number;
  readonly kev: number;
  readonly severity: Severity | null;
  readonly advisories: readonly string[];
  readonly hostIds: readonly number[];
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** The version one host's package should go to, closing all of `fixes` (fixed versions). */
export function targetVersion(
  scheme: 'debian' | 'rpm' | 'apk',
  fixes: readonly string[],
  candidate: string | undefined,
): string {
  const s = schemeFor(scheme);
  const needed = fixes.reduce((best, v) => (s.compare(v, best) > 0 ? v : best));
  return candidate !== undefined && s.compare(candidate, needed) >= 0 ? candidate : needed;
}

export function remediations(
  hosts: readonly RemediationHost[],
  findings: readonly RemediationFinding[],
): Remediation[] {
  const hostById = new Map(hosts.map((h) => [h.hostId, h]));
  const perHostPackage = new Map<string, RemediationFinding[]>();
  for (const f of findings) {
    if (!hostById.has(f.hostId)) continue;
    const k = `${f.hostId}\u0000${f.package}`;
    const list = perHostPackage.get(k);
    if (list) list.push(f);
    else perHostPackage.set(k, [f]);
  }
  const groups = new Map<string, { pkg: string; version: string; items: RemediationFinding[] }>();
  for (const list of perHostPackage.values()) {
    const first = list[0] as RemediationFinding;
    const host = hostById.get(first.hostId) as RemediationHost;
    const version = targetVersion(
      host.versionScheme,
      list.map((f) => f.fixedVersion),
      host.candidates.get(first.package),
    );
    const k = `${first.package}\u0000${version}`;
    const g = groups.get(k);
    if (g) g.items.push(...list);
    else groups.set(k, { pkg: first.package, version, items: [...list] });
  }
  const out: Remediation[] = [];
  for (const g of groups.values()) {
    const risk = g.items.reduce((s, f) => s + f.risk, 0);
    const worst = g.items.reduce<Severity | null>(
      (w, f) =>
        f.severity !== null && (w === null || severityRank(f.severity) < severityRank(w)) ? f.severity : w,
      null,
    );
    out.push({
      package: g.pkg,
      toVersion: g.version,
      hosts: new Set(g.items.map((f) => f.hostId)).size,
      findings: g.items.length,
      riskRemoved: Math.round(risk * 10) / 10,
      kev: g.items.filter((f) => f.kev).length,
      severity: worst,
      advisories: [...new Set(g.items.map((f) => f.advisoryId))].sort(cmp),
      hostIds: [...new Set(g.items.map((f) => f.hostId))].sort((a, b) => a - b),
    });
  }
  return out.sort(
    (a, b) =>
      b.riskRemoved - a.riskRemoved ||
      b.findings - a.findings ||
      cmp(a.package, b.package) ||
      cmp(a.toVersion, b.toVersion),
  );
}

export interface PlanStep extends Remediation {
  /** Risk removed by this step and every one before it. */
  readonly cumulativeRisk: number;
  /** That as a share (0–1) of all the risk the remediations could remove. */
  readonly cumulativeShare: number;
}

/**
 * The greedy plan: the remediations that remove the most risk first, up to
 * `steps` of them. Every finding belongs to exactly one remediation, so
 * taking the largest first is optimal for "most risk removed in k updates".
 */
export function greedyPlan(
  items: readonly Remediation[],
  steps: number,
): { steps: PlanStep[]; totalRisk: number } {
  const total = items.reduce((s, r) => s + r.riskRemoved, 0);
  let running = 0;
  const out: PlanStep[] = [];
  for (const r of [...items].sort((a, b) => b.riskRemoved - a.riskRemoved).slice(0, Math.max(0, steps))) {
    running += r.riskRemoved;
    out.push({
      ...r,
      cumulativeRisk: Math.round(running * 10) / 10,
      cumulativeShare: total === 0 ? 0 : Math.round((running / total) * 1000) / 1000,
    });
  }
  return { steps: out, totalRisk: Math.round(total * 10) / 10 };
}
