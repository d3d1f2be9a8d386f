/**
 * Guessing the enrollment secret is slowed like guessing passwords: each enrollment is counted
 * per source address in the store (so across replicas) before the secret is checked; a right
 * secret gives its attempt back, so a fleet enrolling from behind one NAT is not held up.
 */
import type { EnrollResponse } from '@patchloop/contracts';
import { PatchloopError } from '@patchloop/core';
import type { ServerContext } from '../context.js';

export async function throttledEnroll<R extends Partial<EnrollResponse>>(
  ctx: ServerContext,
  address: string,
  enroll: () => Promise<R>,
): Promise<R> {
  const keys = [{ key: `enroll:addr:${address}`, limit: ctx.logins.limits.enrollPerSource }];
  const wait = await ctx.logins.attempt(keys, ctx.now());
  if (wait !== null) {
    throw new PatchloopError(
      'PL_ENROLL_THROTTLED',
      `too many enrollments with a wrong secret from this address: try again in ${wait} s`,
      { retryAfterSeconds: wait },
    );
  }
  try {
    const r = await enroll();
    await ctx.logins.succeeded(keys, [], ctx.now());
    return r;
  } catch (e) {
    // Only a wrong secret counts against the address.
    if (!(e instanceof PatchloopError && e.code === 'PL_ENROLL_SECRET_INVALID')) {
      await ctx.logins.succeeded(keys, [], ctx.now());
    }
    throw e;
  }
}
