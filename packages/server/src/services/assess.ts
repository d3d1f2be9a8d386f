/**
 * Assessment of one host as it is stored: its packages against the
 * advisories of its OS release, with the same engine `patchloop scan` uses,
 * merged into the host's finding history. One tuple cache and one scan-data
 * cache per process, so package versions shared by many hosts are evaluated
 * once and advisories they share are read once; both are cleared when feed
 * data changes.
 */
import {
  assessHost,
  assessRisk,
  classifyUpdates,
  countPendingUpdates,
  patchStatus,
  schemeOfManager,
  slaDue,
  familyFor,
  FINDING_SEVERITIES,
  findingJson,
  isPatchloopError,
  PatchloopError,
  lookupOf,
  TupleCache,
  type Finding,
  type Inventory,
} from '@patchloop/core';
import {
  getHost,
  loadHostPackages,
  ScanDataCache,
  recordAssessment,
  recordPatchState,
  syncHostFindings,
  type HostRecord,
  lockHostAssessment,
  feedGeneration,
  loadRiskSettings,
} from '@patchloop/store';
import type { ServerContext } from '../context.js';

export function findingCounts(findings: readonly Finding[]): Record<string, number> {
  const counts: Record<string, number> = {
    total: findings.length,
    fixable: 0,
    unfixed: 0,
    kev: 0,
  };
  for (const s of FINDING_SEVERITIES) counts[s] = 0;
  for (const f of findings) {
    counts[f.status] = (counts[f.status] ?? 0) + 1;
    if (f.kev) counts.kev = (counts.kev ?? 0) + 1;
    const s = f.severity ?? 'unknown';
    counts[s] = (counts[s] ?? 0) + 1;
  }
  return counts;
}

/**
 * The host's pending updates (security when a pocket or updateinfo says so, or when one closes an
 * open finding: the patch catalogue's classification) and core's patch status. Updates not
 * collected (an imported host, no package manager to ask) are null: not assessed.
 */
export function patchState(host: HostRecord, findings: readonly Finding[]) {
  const scheme = schemeOfManager(host.packageManager);
  let pending = null;
  if (scheme && host.updates !== null) {
    const updates = host.updates.map(({ name, ...u }) => ({ ...u, package: name }));
    const open = findings.map((f) => ({
      package: f.package,
      advisoryId: f.advisory.id,
      fixedVersion: f.fixedVersion,
      severity: f.severity,
      kev: f.kev !== null,
    }));
    pending = countPendingUpdates(classifyUpdates(scheme, updates, open));
  }
  return { pending, status: patchStatus(pending, host.reboot.required) };
}

export class Assessor {
  private cache = new TupleCache();
  private data = new ScanDataCache();
  private generation: string | null = null;

  constructor(private readonly ctx: ServerContext) {}

  /** Feed data changed when the newest import run changed: drop cached answers. */
  private async checkGeneration(): Promise<void> {
    const g = await feedGeneration(this.ctx.db);
    if (g !== this.generation) {
      this.cache.clear();
      this.data.clear();
      this.generation = g;
    }
  }

  async assess(hostId: number): Promise<{ findings: number; opened: number; resolved: number } | null> {
    const { db } = this.ctx;
    const host = await getHost(db, hostId);
    if (!host) return null;
    const now = this.ctx.now();
    if (host.packageManager === null) {
      await recordPatchState(db, hostId, patchState(host, []));
      return { findings: 0, opened: 0, resolved: 0 };
    }
    await this.checkGeneration();
    const packages = await loadHostPackages(db, hostId);
    const os =
      host.os.id === 'unknown'
        ? null
        : {
            id: host.os.id,
            versionId: host.os.versionId ?? '',
            codename: host.os.codename,
            prettyName: host.os.prettyName,
          };
    const inventory: Inventory = {
      manager: host.packageManager,
      os,
      packages,
      kernel: host.kernel.running,
    };
    const family = os ? familyFor(os) : null;
    try {
      if (!os || !family)
        throw new PatchloopError(
          'PL_OS_UNSUPPORTED',
          `Patchloop cannot assess ${host.os.prettyName ?? host.os.id} yet`,
        );
      const data = await this.data.load(db, {
        targets: family.targets(os),
        packages: packages.map((p) => lookupOf(family, p).name),
        eolProduct: family.eolCycle(os)?.product ?? null,
      });
      const report = assessHost({
        inventory,
        os,
        advisories: data.advisories,
        enrichment: data.enrichment,
        now,
        cache: this.cache,
      });
      // A release the store has no advisories for finds nothing; say so on the host.
      const empty = data.advisoriesPerTarget.every((t) => t.count === 0);
      const note = empty
        ? `PL_SCAN_NO_ADVISORIES: the store has no advisories for ${data.advisoriesPerTarget.map((t) => `${t.ecosystem} ${t.releases.join('/')}`).join(', ')}`
        : null;
      const settings = await loadRiskSettings(db);
      const context = {
        criticality: host.criticality,
        environment: host.environment,
        internetFacing: host.internetFacing,
        userRisk: host.userRisk,
      };
      const stored = report.findings.map((f) => {
        const { score, priority, factors, explanation } = assessRisk(f, context, settings.weights);
        return {
          finding: f,
          json: findingJson(f) as Record<string, unknown>,
          risk: { score, priority, detail: { factors, explanation } },
        };
      });
      const due = (s: (typeof stored)[number], firstSeen: Date) =>
        slaDue(s.risk.priority, firstSeen, s.finding.kev, settings.sla);
      const r = await db.transaction(async (tx) => {
        // One assessment of a host writes at a time (two replicas may run two queued runs).
        await lockHostAssessment(tx, hostId);
        const sync = await syncHostFindings(tx, hostId, stored, now, (s, firstSeen) =>
          due(s as (typeof stored)[number], firstSeen),
        );
        // One statement for what the assessment says of the host (a check-in's cost is per statement).
        await recordAssessment(tx, hostId, {
          eol: report.host.eol,
          counts: findingCounts(report.findings),
          now,
          error: note,
          patch: patchState(host, report.findings),
        });
        return sync;
      });
      return { findings: r.open, opened: r.opened, resolved: r.resolved };
    } catch (e) {
      const message = isPatchloopError(e) ? `${e.code}: ${e.message}` : (e as Error).message;
      await recordAssessment(db, hostId, { eol: null, counts: findingCounts([]), now, error: message });
      await recordPatchState(db, hostId, patchState(host, []));
      if (isPatchloopError(e) || !os || !family) return { findings: 0, opened: 0, resolved: 0 };
      throw e;
    }
  }
}
