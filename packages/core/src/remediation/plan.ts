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
  /**
   * How many hosts this one stands for (default 1): hosts with the same findings and offered updates
   * remediate the same way, so a fleet's plan adds one of them with their number. Only where no
   * targets are kept (a target is one host).
   */
  readonly weight?: number;
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

interface Group {
  readonly source: string;
  readonly version: string;
  readonly binaries: Set<string>;
  readonly advisories: Set<string>;
  hosts: number;
  findings: number;
  risk: number;
  kev: number;
  worst: Severity | null;
  /** Null when the builder keeps no targets for this source package. */
  readonly targets: RemediationTarget[] | null;
}

/**
 * Builds the remediations of a fleet a few hosts at a time, so that a caller
 * never holds every finding: `add` takes some hosts with **all** their
 * findings (a host's findings must not be split across calls), `result`
 * gives what `remediations` of all of them gives. What it keeps grows with
 * the (source package, target version) groups, not with the findings; the
 * per-host targets (and `hostIds`) are kept only for the source packages
 * `keepTargets` accepts (every one by default) — for the others they are empty.
 */
export class RemediationBuilder {
  private readonly groups = new Map<string, Group>();

  constructor(private readonly keepTargets: (sourcePackage: string) => boolean = () => true) {}

  add(hosts: readonly RemediationHost[], findings: readonly RemediationFinding[]): void {
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
      let g = this.groups.get(k);
      if (!g) {
        g = {
          source: first.sourcePackage,
          version,
          binaries: new Set(),
          advisories: new Set(),
          hosts: 0,
          findings: 0,
          risk: 0,
          kev: 0,
          worst: null,
          targets: this.keepTargets(first.sourcePackage) ? [] : null,
        };
        this.groups.set(k, g);
      }
      const w = host.weight ?? 1;
      if (g.targets && w !== 1)
        throw new Error(`host ${host.hostId} stands for ${w} hosts: no targets for it`);
      g.hosts += w;
      g.targets?.push({ hostId: first.hostId, packages });
      for (const f of lists.flat()) {
        g.findings += w;
        g.risk += f.risk * w;
        if (f.kev) g.kev += w;
        if (f.severity !== null && (g.worst === null || severityRank(f.severity) < severityRank(g.worst))) {
          g.worst = f.severity;
        }
        g.binaries.add(f.package);
        g.advisories.add(f.advisoryId);
      }
    }
  }

  result(): Remediation[] {
    const out: Remediation[] = [];
    for (const g of this.groups.values()) {
      const targets = [...(g.targets ?? [])].sort((a, b) => a.hostId - b.hostId);
      out.push({
        package: g.source,
        toVersion: g.version,
        binaries: [...g.binaries].sort(cmp),
        hosts: g.hosts,
        findings: g.findings,
        riskRemoved: Math.round(g.risk * 10) / 10,
        kev: g.kev,
        severity: g.worst,
        advisories: [...g.advisories].sort(cmp),
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
}

export function remediations(
  hosts: readonly RemediationHost[],
  findings: readonly RemediationFinding[],
): Remediation[] {
  const b = new RemediationBuilder();
  b.add(hosts, findings);
  return b.result();
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
