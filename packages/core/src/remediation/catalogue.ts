/**
 * The patch catalogue of one host: each update its package manager offers,
 * classified `security` (it closes at least one open finding, or comes from
 * a security pocket / updateinfo says security), `bugfix` or `feature`
 * (updateinfo's bugfix / enhancement; an update nobody classifies is a
 * bugfix: stable distributions ship fixes, not features), with the worst
 * severity and the advisories of what it fixes. Pure.
 */
import type { Severity } from '../advisory/model.js';
import { severityRank } from '../advisory/severity-order.js';
import { schemeFor } from '../version/list.js';

export type UpdateClass = 'security' | 'bugfix' | 'feature';

export interface OfferedUpdate {
  readonly package: string;
  readonly arch: string;
  readonly installedVersion: string | null;
  readonly candidateVersion: string;
  readonly repository: string | null;
  readonly security: boolean;
  readonly classification: 'security' | 'bugfix' | 'enhancement' | null;
  readonly advisoryIds: readonly string[];
}

export interface OpenFinding {
  readonly package: string;
  readonly advisoryId: string;
  readonly fixedVersion: string | null;
  readonly severity: Severity | null;
  readonly kev: boolean;
}

export interface CatalogueItem extends OfferedUpdate {
  readonly class: UpdateClass;
  /** Open findings the update closes (its version is at least their fixed version). */
  readonly closes: readonly string[];
  readonly severity: Severity | null;
  readonly kev: boolean;
  readonly releaseDate: string | null;
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

export function classifyUpdates(
  scheme: 'debian' | 'rpm' | 'apk',
  updates: readonly OfferedUpdate[],
  findings: readonly OpenFinding[],
): CatalogueItem[] {
  const s = schemeFor(scheme);
  const byPackage = new Map<string, OpenFinding[]>();
  for (const f of findings) byPackage.set(f.package, [...(byPackage.get(f.package) ?? []), f]);
  return updates
    .map((u) => {
      const closed = (byPackage.get(u.package) ?? []).filter(
        (f) => f.fixedVersion !== null && s.compare(u.candidateVersion, f.fixedVersion) >= 0,
      );
      const severity = closed.reduce<Severity | null>(
        (w, f) =>
          f.severity !== null && (w === null || severityRank(f.severity) < severityRank(w)) ? f.severity : w,
        null,
      );
      const cls: UpdateClass =
        closed.length > 0 || u.security || u.classification === 'security'
          ? 'security'
          : u.classification === 'enhancement'
            ? 'feature'
            : 'bugfix';
      return {
        ...u,
        class: cls,
        closes: [...new Set([...closed.map((f) => f.advisoryId), ...u.advisoryIds])].sort(cmp),
        severity,
        kev: closed.some((f) => f.kev),
        // Neither apt nor apk report when an update was published; dnf updateinfo would (not collected yet).
        releaseDate: null,
      };
    })
    .sort(
      (a, b) =>
        (a.class === 'security' ? 0 : 1) - (b.class === 'security' ? 0 : 1) ||
        severityRank(a.severity) - severityRank(b.severity) ||
        cmp(a.package, b.package) ||
        cmp(a.arch, b.arch),
    );
}
