/**
 * Enrollment: an agent presents the shared secret and its machine id and
 * gets its own credential. A host that enrolls again keeps its identity
 * (same machine id → same host, its history and inventory); its earlier
 * credential is revoked.
 */
import type { EnrollRequest, EnrollResponse } from '@patchloop/contracts';
import {
  addHostTags,
  appendAudit,
  getHost,
  getHostByMachineId,
  insertHost,
  replaceAgentCredential,
} from '@patchloop/store';
import { enrollSecretMatches } from '../auth/bootstrap.js';
import { hashCredential, newToken, publicIdOf } from '../auth/secrets.js';
import type { ServerContext } from '../context.js';
import { ApiError } from '../errors.js';
import { hostRetired } from './host-lifecycle.js';

export async function enroll(ctx: ServerContext, req: EnrollRequest): Promise<EnrollResponse> {
  if (!(await enrollSecretMatches(ctx, req.secret))) {
    throw new ApiError(401, 'PL_ENROLL_SECRET_INVALID', 'the enrollment secret is wrong');
  }
  const credential = newToken('pla');
  const secretHash = hashCredential(credential);
  const now = ctx.now();
  const result = await ctx.db.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock(7305003, hashtext($1))', [req.machineId]);
    let host = await getHostByMachineId(tx, req.machineId);
    if (host?.retired) throw hostRetired(host);
    const again = host !== null;
    if (host === null) {
      host = await insertHost(tx, {
        machineId: req.machineId,
        hostname: req.hostname,
        transport: req.transport ?? 'agent',
        tags: req.tags,
        now,
      });
    } else {
      await addHostTags(tx, host.id, req.tags);
    }
    await replaceAgentCredential(tx, { hostId: host.id, publicId: publicIdOf(credential), secretHash, now });
    const after = await getHost(tx, host.id);
    await appendAudit(tx, {
      actor: `agent:${host.id}`,
      action: again ? 'host.re-enroll' : 'host.enroll',
      target: `host:${host.id}`,
      before: again ? { hostname: host.hostname, tags: host.tags } : null,
      after: {
        hostname: req.hostname,
        machineId: req.machineId,
        tags: after?.tags ?? req.tags,
        transport: req.transport ?? 'agent',
      },
      at: now,
    });
    return { hostId: host.id, inventoryHash: host.inventoryHash };
  });
  // The host's earlier credential may be cached as valid: forget it (only this host's).
  ctx.credentials.forget((p) => p.kind === 'agent' && p.hostId === result.hostId);
  return { hostId: result.hostId, credential, inventoryHash: result.inventoryHash };
}
