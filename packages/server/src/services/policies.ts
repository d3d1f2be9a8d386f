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
  listApprovedExceptionScopes,
  listOpenFindings,
  listPolicies,
  listPolicyHosts,
  listSimHosts,
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
      document,
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
  const policyHosts = await listPolicyHosts(q);
  const all = (await listPolicies(q)).map((p) => p.document);
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
  const hosts = await listSimHosts(q);
  const exceptions = await listApprovedExceptionScopes(q, now);
  const byHost = new Map<number, SimHost['findings'][number][]>();
  for (const { hostId, finding: f, published } of await listOpenFindings(q)) {
    const list = byHost.get(hostId) ?? [];
    list.push({
      advisoryId: f.advisory.id,
      aliases: f.advisory.aliases,
      package: f.package,
      sourcePackage: f.sourcePackage,
      installedVersion: f.installedVersion,
      fixedVersion: f.fixedVersion,
      status: f.status,
      severity: f.severity,
      classification: f.advisory.classification,
      kev: f.kev !== null,
      published,
    });
    byHost.set(hostId, list);
  }
  // Every host, those that cannot run a deployment too: the simulation lists them as not deployable.
  return hosts.map((h) => ({
    id: h.id,
    hostname: h.hostname,
    os: h.os,
    tags: h.tags,
    groups: h.groups,
    versionScheme: schemeOfManager(h.packageManager),
    notDeployable: notDeployableReason({
      transport: h.transport,
      packageManager: h.packageManager,
      updatesKnown: h.updates !== null,
    }),
    findings: byHost.get(h.id) ?? [],
    updates: (h.updates ?? []).map((u) => ({
      package: u.name,
      candidateVersion: u.candidateVersion,
      classification: u.classification,
      security: u.security,
      releaseDate: null,
    })),
    exceptions: exceptions
      .filter(
        (e) =>
          (e.hostId === null || e.hostId === h.id) &&
          (e.groupName === null || h.groups.includes(e.groupName)),
      )
      .map((e) => ({ advisoryId: e.advisoryId, package: e.package, expiresAt: e.expiresAt.toISOString() })),
  }));
}

export async function simulateByName(ctx: ServerContext, name: string, at: Date): Promise<Simulation> {
  const policy = await getPolicy(ctx.db, name);
  if (!policy) throw new PatchloopError('PL_NOT_FOUND', `no policy ${name}`);
  const all = (await listPolicies(ctx.db)).map((p) => p.document);
  return simulatePolicy({
    policy: policy.document,
    at,
    hosts: await loadSimHosts(ctx.db, at),
    policies: all,
  });
}
