import type { Role } from '@patchloop/contracts';

/** Who is calling: a person or script with a role, or an agent for one host. */
export type Principal =
  | { readonly kind: 'token'; readonly tokenId: number; readonly name: string; readonly role: Role }
  | { readonly kind: 'agent'; readonly hostId: number };

/** What a route requires: a role among these, an agent credential, or nothing. */
export type Access = { readonly roles: readonly Role[] } | 'agent' | 'public';

export const READ: Access = { roles: ['admin', 'operator', 'auditor'] };
export const WRITE: Access = { roles: ['admin', 'operator'] };
export const ADMIN: Access = { roles: ['admin'] };

/** How a principal appears in the audit log. */
export function actorOf(p: Principal | null): string {
  if (p === null) return 'anonymous';
  if (p.kind === 'agent') return `agent:${p.hostId}`;
  // A session token acts for its user.
  return p.name.startsWith('session:') ? `user:${p.name.slice('session:'.length)}` : `token:${p.name}`;
}
