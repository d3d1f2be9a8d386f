import { ROLES, type Role } from '@patchloop/contracts';

/** Who is calling: a person or script with a role, or an agent for one host. */
export type Principal =
  | { readonly kind: 'token'; readonly tokenId: number; readonly name: string; readonly role: Role }
  | { readonly kind: 'agent'; readonly hostId: number };

/** What a route requires: a role among these, an agent credential, or nothing. */
export type Access = { readonly roles: readonly Role[] } | 'agent' | 'public';

export const READ: Access = { roles: ROLES };
export const WRITE: Access = { roles: ['admin', 'operator'] };
export const ADMIN: Access = { roles: ['admin'] };

/** Each role can do what the roles after it can: admin ⊃ operator ⊃ auditor. */
const RANK: readonly Role[] = ROLES;

/** The role with fewer rights of the two. */
export function lowerRole(a: Role, b: Role): Role {
  return RANK.indexOf(a) >= RANK.indexOf(b) ? a : b;
}

/** The user a session token acts for, or null (an API token, an agent, nobody). */
export function sessionUser(p: Principal | null): string | null {
  return p?.kind === 'token' && p.name.startsWith('session:') ? p.name.slice('session:'.length) : null;
}

/** How a principal appears in the audit log. */
export function actorOf(p: Principal | null): string {
  if (p === null) return 'anonymous';
  if (p.kind === 'agent') return `agent:${p.hostId}`;
  // A session token acts for its user.
  const user = sessionUser(p);
  return user !== null ? `user:${user}` : `token:${p.name}`;
}

/** Machine ids identify a machine to enrollment: auditors read the fleet without them. */
export function seesMachineIds(p: Principal | null): boolean {
  return p?.kind === 'token' && p.role !== 'auditor';
}

/** A host (or audit record) as this principal may see it: machine ids hidden from auditors. */
export function maskMachineId<T extends { machineId: string | null }>(p: Principal | null, h: T): T {
  return seesMachineIds(p) ? h : { ...h, machineId: null };
}
