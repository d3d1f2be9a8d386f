/**
 * Policies as code on the server: documents applied (YAML or JSON, validated
 * by core, every version kept and audited) and simulated against the fleet
 * as it is in the store.
 */
import {
  lostHosts,
  matchesSelector,
  parsePolicy,
  parsePolicyText,
  schemeOfManager,
  notDeployableReason,
  simulatePolicy,
  type PolicyDocument,
  type SimHost,
  type Simulation,
  PatchloopError,
} from '@patchloop/core';
import {
  appendAudit,
  getPolicy,
  listPolicies,
  putPolicy,
  type PolicyRecord,
  type Queryable,
} from '@patchloop/store';
import type { ServerContext } from '../context.js';

/** Parses a policy sent as YAML/JSON text or as a JSON object; `name` (from the URL) must match. */
export function readPolicy(body: unknown, name?: string): { document: PolicyDocument; source: string } {
  const document = typeof body === 'string' ? parsePolicyText(body, 'yaml') : parsePolicy(body);
  if (name !== undefined && document.name !== name) {
    throw new PatchloopError('PL_POLICY_INVALID', `the document is named "${document.name}", not "${name}"`);
  }
  const source = typeof body === 'string' ? body : `${JSON.stringify(body, null, 2)}\n`;
  return { document, source };
}

export async function applyPolicy(
  ctx: ServerContext,
  p: { body: unknown; name?: string | undefined; actor: string },
): Promise<{ record: PolicyRecord; changed: boolean; warnings: string[] }> {
  const { document, source } = readPolicy(p.body, p.name);
  const now = ctx.now();
  const applied = await ctx.db.transaction(async (tx) => {
    const r = await putPolicy(tx, {
      name: document.name,
      document: document as unknown as Record<string, unknown>,
      source,
      by: p.actor,
      now,
    });
    if (r.changed) {
      await appendAudit(tx, {
        actor: p.actor,
        action: r.before ? 'policy.update' : 'policy.create',
        target: `policy:${document.name}`,
        before: r.before ? { version: r.before.version, document: r.before.document } : null,
        after: { version: r.after.version, document: r.after.document },
        at: now,
      });
    }
    return { record: r.after, changed: r.changed };
  });
  return { ...applied, warnings: await precedenceWarnings(ctx.db, document) };
}

/**
 * Warns when a policy selects hosts but governs none of them, because other
 * policies take precedence for each (core's policyForHost): it would never
 * deploy anything. Its simulation lists the hosts it lost and to whom.
 */
export async function precedenceWarnings(q: Queryable, policy: PolicyDocument): Promise<string[]> {
  const hosts = await q.query<{
    id: number;
    hostname: string;
    os_id: string | null;
    os_version: string | null;
    tags: string[];
    groups: string[];
  }>('SELECT id, hostname, os_id, os_version, tags, groups FROM host WHERE retired_at IS NULL ORDER BY id');
  const all = (await listPolicies(q)).map((p) => p.document as unknown as PolicyDocument);
  const policyHosts = hosts.rows.map((h) => ({
    id: Number(h.id),
    hostname: h.hostname,
    os: { id: h.os_id ?? 'unknown', versionId: h.os_version },
    tags: h.tags,
    groups: h.groups,
  }));
  const selected = policyHosts.filter((h) => matchesSelector(policy.selector, h)).length;
  const lost = lostHosts(policy, all, policyHosts);
  if (selected === 0 || lost.length < selected) return [];
  const shown = lost
    .slice(0, 5)
    .map((l) => `${l.hostname} → ${l.to} (by ${l.toLevel})`)
    .join(', ');
  const more = lost.length > 5 ? ` and ${lost.length - 5} more` : '';
  return [
    `policy ${policy.name} governs no host: other policies take precedence for all ${selected} it selects (${shown}${more}); a policy naming hosts beats one by group, by tag, then a global one, and a tie goes to the name sorting first`,
  ];
}

/** The fleet as the simulation sees it: hosts, their open findings, updates and approved exceptions. */
export async function loadSimHosts(q: Queryable, now: Date): Promise<SimHost[]> {
  const hosts = await q.query<{
    id: number;
    hostname: string;
    os_id: string | null;
    os_version: string | null;
    tags: string[];
    groups: string[];
    package_manager: string | null;
    transport: 'agent' | 'ssh' | 'import';
    updates:
      { name: string; candidateVersion: string; classification: string | null; security: boolean }[] | null;
  }>(
    'SELECT id, hostname, os_id, os_version, tags, groups, package_manager, transport, updates FROM host WHERE retired_at IS NULL ORDER BY id',
  );
  const findings = await q.query<{ host_id: number; data: Record<string, never>; published: string | null }>(
    `SELECT f.host_id, f.data, (SELECT min(a.published)::text FROM advisory a WHERE a.id = f.advisory_id) AS published
     FROM finding f WHERE f.resolved_at IS NULL ORDER BY f.host_id, f.id`,
  );
  const exceptions = await q.query<{
    advisory_id: string | null;
    package: string | null;
    host_id: number | null;
    group_name: string | null;
    expires_at: string;
  }>(
    `SELECT advisory_id, package, host_id, group_name, expires_at FROM risk_exception
      WHERE status = 'approved' AND expires_at > $1`,
    [now],
  );
  const byHost = new Map<number, SimHost['findings'][number][]>();
  for (const r of findings.rows) {
    const d = r.data as unknown as {
      advisory: { id: string; aliases: string[]; classification: string };
      package: string;
      sourcePackage: string;
      installedVersion: string;
      fixedVersion: string | null;
      status: 'fixable' | 'unfixed';
      severity: 'critical' | 'high' | 'medium' | 'low' | null;
      kev: unknown;
    };
    const list = byHost.get(Number(r.host_id)) ?? [];
    list.push({
      advisoryId: d.advisory.id,
      aliases: d.advisory.aliases,
      package: d.package,
      sourcePackage: d.sourcePackage,
      installedVersion: d.installedVersion,
      fixedVersion: d.fixedVersion,
      status: d.status,
      severity: d.severity,
      classification: d.advisory.classification as 'security',
      kev: d.kev !== null,
      published: r.published,
    });
    byHost.set(Number(r.host_id), list);
  }
  // Every host, those that cannot run a deployment too: the simulation lists them as not deployable.
  return hosts.rows.map((h) => ({
    id: Number(h.id),
    hostname: h.hostname,
    os: { id: h.os_id ?? 'unknown', versionId: h.os_version },
    tags: h.tags,
    groups: h.groups,
    versionScheme: schemeOfManager(h.package_manager),
    notDeployable: notDeployableReason({
      transport: h.transport,
      packageManager: h.package_manager,
      updatesKnown: h.updates !== null,
    }),
    findings: byHost.get(Number(h.id)) ?? [],
    updates: (h.updates ?? []).map((u) => ({
      package: u.name,
      candidateVersion: u.candidateVersion,
      classification: (u.classification as 'security' | 'bugfix' | 'enhancement' | null) ?? null,
      security: u.security,
      releaseDate: null,
    })),
    exceptions: exceptions.rows
      .filter(
        (e) =>
          (e.host_id === null || Number(e.host_id) === Number(h.id)) &&
          (e.group_name === null || h.groups.includes(e.group_name)),
      )
      .map((e) => ({
        advisoryId: e.advisory_id,
        package: e.package,
        expiresAt: new Date(e.expires_at).toISOString(),
      })),
  }));
}

export async function simulateByName(ctx: ServerContext, name: string, at: Date): Promise<Simulation> {
  const policy = await getPolicy(ctx.db, name);
  if (!policy) throw new PatchloopError('PL_NOT_FOUND', `no policy ${name}`);
  const all = (await listPolicies(ctx.db)).map((p) => p.document as unknown as PolicyDocument);
  return simulatePolicy({
    policy: policy.document as unknown as PolicyDocument,
    at,
    hosts: await loadSimHosts(ctx.db, at),
    policies: all,
  });
}
