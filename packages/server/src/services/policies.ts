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
  governedHosts,
  type HostAction,
  type HostPlan,
  type PolicyDocument,
  type SimHost,
  type SimulatedHost,
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
  type ExceptionScope,
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

/** Hosts a simulation reads at a time (their updates and open findings). */
export const SIM_BATCH = 500;

/** Finding classes whose findings a simulation keeps for the hosts after (least recently used goes). */
export const SIM_CLASSES = 256;

type SimFindings = SimHost['findings'];

/**
 * These hosts as the simulation sees them: their open findings, updates and the approved exceptions.
 * Hosts of one finding class have the same open findings as a policy sees them (facts, not dates):
 * `classes` keeps them per class across batches (SIM_CLASSES at most), and only one host per class
 * not kept is read.
 */
async function loadSimHosts(
  q: Queryable,
  ids: readonly number[],
  exceptions: readonly ExceptionScope[],
  classes: Map<string, SimFindings>,
): Promise<SimHost[]> {
  const hosts = await listSimHosts(q, ids);
  const kept = (c: string | null) => {
    const f = c === null ? undefined : classes.get(c);
    if (f && c !== null) {
      classes.delete(c);
      classes.set(c, f);
    }
    return f;
  };
  const read = new Map<string, number>();
  const toRead = hosts.filter((h) => {
    if (h.findingClass === null) return true;
    if (kept(h.findingClass) || read.has(h.findingClass)) return false;
    read.set(h.findingClass, h.id);
    return true;
  });
  const byHost = new Map<number, SimFindings[number][]>();
  for (const { hostId, ...f } of await listOpenFindings(
    q,
    toRead.map((h) => h.id),
  )) {
    const list = byHost.get(hostId) ?? [];
    list.push(f);
    byHost.set(hostId, list);
  }
  // This batch's classes: from what was just read, else from what was kept.
  const batch = new Map<string, SimFindings>();
  for (const h of hosts) {
    const c = h.findingClass;
    if (c === null || batch.has(c)) continue;
    const id = read.get(c);
    batch.set(c, id === undefined ? (kept(c) ?? []) : (byHost.get(id) ?? []));
  }
  for (const c of read.keys()) {
    classes.set(c, batch.get(c) ?? []);
    if (classes.size > SIM_CLASSES) classes.delete(classes.keys().next().value as string);
  }
  const findingsOf = (h: (typeof hosts)[number]): SimFindings =>
    h.findingClass === null ? (byHost.get(h.id) ?? []) : (batch.get(h.findingClass) ?? []);
  // Every host, those that cannot run a deployment too: the simulation lists them as not deployable.
  return hosts.map((h) => {
    const applying = exceptions
      .filter(
        (e) =>
          (e.hostId === null || e.hostId === h.id) &&
          (e.groupName === null || h.groups.includes(e.groupName)),
      )
      .map((e) => ({ advisoryId: e.advisoryId, package: e.package, expiresAt: e.expiresAt.toISOString() }));
    return {
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
      findings: findingsOf(h),
      updates: (h.updates ?? []).map((u) => ({
        package: u.name,
        candidateVersion: u.candidateVersion,
        classification: u.classification,
        security: u.security,
        releaseDate: null,
      })),
      exceptions: applying,
      // Same findings (class), packages and updates (inventory) and exceptions: planned once (core).
      planKey:
        h.findingClass === null || h.inventoryHash === null
          ? null
          : `${h.findingClass} ${h.inventoryHash} ${JSON.stringify(applying)}`,
    };
  });
}

/**
 * What `policy` would do at `at` (core's simulatePolicy, `policies` deciding precedence), the governed
 * hosts read and simulated SIM_BATCH at a time in the simulation's order: `visit` gets each batch's
 * simulated hosts, in order, and keeps what it needs. Memory stays bounded by a batch (plus the hosts'
 * names and selectors), whatever the fleet. Gives the simulation without its hosts.
 */
export async function simulateInBatches(
  q: Queryable,
  input: { policy: PolicyDocument; at: Date; policies: readonly PolicyDocument[] },
  visit: (hosts: readonly SimulatedHost[]) => void,
  batch = SIM_BATCH,
): Promise<Omit<Simulation, 'hosts'>> {
  const { policy, at, policies } = input;
  const selectors = await listPolicyHosts(q);
  const governed = governedHosts(policy, selectors, policies);
  const exceptions = await listApprovedExceptionScopes(q, at);
  const classes = new Map<string, SimFindings>();
  const plans = new Map<string, HostPlan>();
  let head: Omit<Simulation, 'hosts' | 'lost'> | null = null;
  for (let i = 0; i < governed.length || head === null; i += batch) {
    const ids = governed.slice(i, i + batch).map((h) => h.id);
    const {
      hosts,
      lost: _lost,
      ...rest
    } = simulatePolicy({
      policy,
      at,
      plans,
      hosts: await loadSimHosts(q, ids, exceptions, classes),
    });
    head ??= rest;
    visit(hosts);
  }
  return { ...head, lost: lostHosts(policy, policies, selectors) };
}

export const HOST_ACTIONS = ['deploy', 'wait-window', 'wait-ring', 'nothing', 'not-deployable'] as const;

export interface SimulationPage extends Simulation {
  /** Hosts the policy governs; `hosts` is the page [offset, offset + limit) of them. */
  readonly total: number;
  /** How many of them take each action. */
  readonly totals: Record<HostAction, number>;
}

export async function simulateByName(
  ctx: ServerContext,
  name: string,
  at: Date,
  page: { offset: number; limit: number } = { offset: 0, limit: Number.MAX_SAFE_INTEGER },
): Promise<SimulationPage> {
  const policy = await getPolicy(ctx.db, name);
  if (!policy) throw new PatchloopError('PL_NOT_FOUND', `no policy ${name}`);
  const all = (await listPolicies(ctx.db)).map((p) => p.document);
  const totals = Object.fromEntries(HOST_ACTIONS.map((a) => [a, 0])) as Record<HostAction, number>;
  const hosts: SimulatedHost[] = [];
  let seen = 0;
  const sim = await simulateInBatches(ctx.db, { policy: policy.document, at, policies: all }, (batch) => {
    for (const h of batch) {
      totals[h.action] += 1;
      if (seen >= page.offset && seen - page.offset < page.limit) hosts.push(h);
      seen += 1;
    }
  });
  // In the API schema's order, so that the CLI's offline JSON is the API's answer byte for byte.
  return { policy: sim.policy, at: sim.at, total: seen, totals, window: sim.window, hosts, lost: sim.lost };
}
