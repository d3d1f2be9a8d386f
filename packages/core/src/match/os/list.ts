/**
 * The one list of OS families Patchloop assesses, one driver each. Adding a
 * family means adding its driver here, with its matcher tests.
 */
import type { OsFamily } from '../../ecosystem/family.js';
import type { OsIdentity } from '../../inventory/model.js';
import { alpine } from './alpine.js';
import { debian } from './debian.js';
import { rhel } from './rhel.js';
import { ubuntu } from './ubuntu.js';

export const OS_FAMILIES: readonly OsFamily[] = [debian, ubuntu, rhel, alpine];

/** The family of a host, or null when Patchloop cannot assess it yet. */
export function familyFor(os: OsIdentity): OsFamily | null {
  return OS_FAMILIES.find((f) => f.osIds.includes(os.id)) ?? null;
}
