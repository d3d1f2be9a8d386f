/**
 * The person behind an actor, for rules that count people (the four-eyes rule
 * on exceptions). Actor strings name credentials: `user:alice` (a console or
 * API session) and `token:alice-ci` (her API token) are one person, and the
 * bootstrap admin token (PATCHLOOP_ADMIN_TOKEN, or the one generated at first
 * start) is the user admin.
 */
import { listTokens, type Queryable } from '@patchloop/store';

/** The admin tokens bootstrap.ts creates (created by `system`): they act for user admin. */
const BOOTSTRAP_ADMIN_TOKENS = new Set(['PATCHLOOP_ADMIN_TOKEN', 'bootstrap-admin']);

/**
 * Everyone an actor may stand for: `user:<name>` for a person, else the actor itself.
 * A token name may have been used more than once (a revoked token and its successor),
 * so a token name maps to the owners of every token of that name.
 */
export async function personsOf(q: Queryable, actor: string): Promise<Set<string>> {
  if (!actor.startsWith('token:')) return new Set([actor]);
  const name = actor.slice('token:'.length);
  const persons = new Set<string>();
  for (const t of (await listTokens(q)).filter((x) => x.name === name)) {
    if (t.createdBy.startsWith('user:')) persons.add(t.createdBy);
    else if (t.createdBy === 'system' && BOOTSTRAP_ADMIN_TOKENS.has(t.name)) persons.add('user:admin');
    else persons.add(actor);
  }
  if (persons.size === 0) persons.add(actor);
  return persons;
}

/** True when the two actors are, or may be, the same person. */
export async function samePerson(q: Queryable, a: string, b: string): Promise<boolean> {
  if (a === b) return true;
  const [pa, pb] = [await personsOf(q, a), await personsOf(q, b)];
  return [...pa].some((p) => pb.has(p));
}
