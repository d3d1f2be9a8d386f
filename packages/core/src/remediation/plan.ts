/**
 * Remediation: which updates close the most risk. Each open, fixable finding
 * is closed by updating its package on its host to a target version — the
 * version the package manager offers when that is at least every fix the
 * host needs for the package, else the highest fixed version it needs. The
 * binary packages built from one source package (openssl and libssl3) are
 * one update: the fleet view groups findings by (source package, target
 * version), the highest target among the host's binaries of that source:
 * "updating X to V closes N findings on M hosts", ordered by the risk it
 * removes, with the binaries each host installs. Pure.
 */
import { severityRank } from '../advisory/severity-order.js';
import type { Severity } from '../advisory/model.js';
import { schemeFor } from '../version/list.js';

export interface RemediationFinding {
  readonly hostId: number;
  /** The binary package the finding is on. */
  readonly package: string;
  /** The source package it was built from (the binary's own name when the inventory has none). */
  readonly sourcePackage: string;
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

/** One host's part of a remediation: its binary packages of the source and their target versions. */
export interface RemediationTarget {
  readonly hostId: number;
  readonly packages: readonly { readonly name: string; readonly version: string }[];
}

export interface Remediation {
  /** The source package. */
  readonly package: string;
  readonly toVersion: string;
  /** The binary packages it updates across its hosts, by name. */
  readonly binaries: readonly string[];
  readonly hosts: number;
  readonly findings: number;
  /** Sum of the risk scores of the findings it closes. */
  readonly riskRemoved: number;
  readonly kev: number;
  readonly severity: Severity | null;
  readonly advisories: readonly string[];
  readonly hostIds: readonly number[];
  /** Per host (ascending id), what to install there. */
  readonly targets: readonly RemediationTarget[];
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
  // host → source → binary → its findings
  const perHostSource = new Map<string, Map<string, RemediationFinding[]>>();
  for (const f of findings) {
    if (!hostById.has(f.hostId)) continue;
    const k = `${f.hostId}\u0000${f.sourcePackage}`;
    const binaries = perHostSource.get(k) ?? new Map<string, RemediationFinding[]>();
    perHostSource.set(k, binaries);
    const list = binaries.get(f.package);
    if (list) list.push(f);
    else binaries.set(f.package, [f]);
  }
  const groups = new Map<
    string,
    { source: string; version: string; items: RemediationFinding[]; targets: RemediationTarget[] }
  >();
  for (const binaries of perHostSource.values()) {
    const lists = [...binaries.values()];
    const first = (lists[0] as RemediationFinding[])[0] as RemediationFinding;
    const host = hostById.get(first.hostId) as RemediationHost;
    const s = schemeFor(host.versionScheme);
    const packages = [...binaries]
      .map(([name, list]) => ({
        name,
        version: targetVersion(
          host.versionScheme,
          list.map((f) => f.fixedVersion),
          host.candidates.get(name),
        ),
      }))
      .sort((a, b) => cmp(a.name, b.name));
    const version = packages.map((p) => p.version).reduce((best, v) => (s.compare(v, best) > 0 ? v : best));
    const k = `${first.sourcePackage}\u0000${version}`;
    const items = lists.flat();
    const target = { hostId: first.hostId, packages };
    const g = groups.get(k);
    if (g) {
      g.items.push(...items);
      g.targets.push(target);
    } else groups.set(k, { source: first.sourcePackage, version, items, targets: [target] });
  }
  const out: Remediation[] = [];
  for (const g of groups.values()) {
    const risk = g.items.reduce((s, f) => s + f.risk, 0);
    const worst = g.items.reduce<Severity | null>(
      (w, f) =>
        f.severity !== null && (w === null || severityRank(f.severity) < severityRank(w)) ? f.severity : w,
      null,
    );
    const targets = g.targets.sort((a, b) => a.hostId - b.hostId);
    out.push({
      package: g.source,
      toVersion: g.version,
      binaries: [...new Set(g.items.map((f) => f.package))].sort(cmp),
      hosts: targets.length,
      findings: g.items.length,
      riskRemoved: Math.round(risk * 10) / 10,
      kev: g.items.filter((f) => f.kev).length,
      severity: worst,
      advisories: [...new Set(g.items.map((f) => f.advisoryId))].sort(cmp),
      hostIds: targets.map((t) => t.hostId),
      targets,
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
