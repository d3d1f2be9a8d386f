/**
 * A host's patch status, from what its package manager offers and whether it
 * waits for a reboot. Pure. Precedence, first match wins:
 *
 * 1. `security-updates-pending`: at least one pending update is security (a
 *    security pocket or updateinfo says so, or it closes an open finding:
 *    `classifyUpdates`), whether or not an advisory in the store names it;
 * 2. `reboot-pending`: installed updates wait for a reboot to take effect;
 * 3. `updates-pending`: other updates (bug fixes, features) are pending;
 * 4. `not-assessed`: the updates are not known (an imported host, a host
 *    whose package manager could not be asked): nothing says it is up to date;
 * 5. `up-to-date`: the package manager offers nothing and no reboot waits.
 *
 * Security first because it is the exposure an operator acts on first; a
 * reboot before other updates because what is installed is not yet running.
 */
import type { PatchStatus } from '../vocabulary/index.js';
import type { UpdateClass } from './catalogue.js';

export { PATCH_STATUSES, type PatchStatus } from '../vocabulary/index.js';

/** Pending updates by kind; null when they are not known. */
export interface PendingUpdates {
  readonly security: number;
  readonly other: number;
}

export function countPendingUpdates(items: readonly { readonly class: UpdateClass }[]): PendingUpdates {
  const security = items.filter((u) => u.class === 'security').length;
  return { security, other: items.length - security };
}

export function patchStatus(pending: PendingUpdates | null, rebootRequired: boolean): PatchStatus {
  if (pending !== null && pending.security > 0) return 'security-updates-pending';
  if (rebootRequired) return 'reboot-pending';
  if (pending !== null && pending.other > 0) return 'updates-pending';
  if (pending === null) return 'not-assessed';
  return 'up-to-date';
}
