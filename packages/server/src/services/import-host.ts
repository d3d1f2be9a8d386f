/**
 * An offline host (no agent): its inventory from a file, stored like a
 * check-in's and assessed at once. Importing the same hostname again
 * updates that host. `importHostFile` is the API's use case (the file's
 * text as the request carries it); `importHost` the CLI's offline one.
 */
import { createHash } from 'node:crypto';
import type { HostImportRequest, HostImportResult } from '@patchloop/contracts';
import {
  canonicalInventory,
  parseInventoryText,
  parseOsSpec,
  PatchloopError,
  type Inventory,
  type OsIdentity,
} from '@patchloop/core';
import {
  appendAudit,
  editHost,
  getHostByMachineId,
  insertHost,
  storeInventory,
  updateHostFacts,
  markHostSeen,
} from '@patchloop/store';
import type { ServerContext } from '../context.js';
import { Assessor } from './assess.js';

export interface ImportHostInput {
  readonly hostname: string;
  readonly os: OsIdentity;
  readonly tags: readonly string[];
  readonly inventory: Inventory;
  readonly actor: string;
}

/**
 * Imports the inventory file a request carries: parsed by its format, on the OS the request
 * names or else the one the inventory says.
 */
export async function importHostFile(
  ctx: ServerContext,
  body: HostImportRequest,
  actor: string,
): Promise<HostImportResult> {
  const inventory = parseInventoryText(body.format, body.content);
  const os = body.os !== undefined ? parseOsSpec(body.os) : inventory.os;
  if (!os) {
    throw new PatchloopError(
      'PL_OS_UNSUPPORTED',
      'the inventory does not say which OS it is: give os (e.g. debian:12)',
    );
  }
  const r = await importHost(ctx, { hostname: body.hostname, os, tags: body.tags ?? [], inventory, actor });
  return { hostId: r.hostId, hostname: body.hostname, packages: r.packages, findings: r.findings };
}

export async function importHost(ctx: ServerContext, input: ImportHostInput) {
  const now = ctx.now();
  const machineId = `import:${input.hostname}`;
  const { manager, packages } = input.inventory;
  const hash = createHash('sha256')
    .update(canonicalInventory(manager, packages, null))
    .digest('hex');
  const hostId = await ctx.db.transaction(async (tx) => {
    const existing = await getHostByMachineId(tx, machineId);
    const host =
      existing ??
      (await insertHost(tx, {
        machineId,
        hostname: input.hostname,
        transport: 'import',
        tags: input.tags,
        now,
      }));
    if (existing) await editHost(tx, host.id, { tags: [...new Set([...existing.tags, ...input.tags])] });
    const facts = {
      hostname: input.hostname,
      os: {
        id: input.os.id,
        versionId: input.os.versionId,
        codename: input.os.codename,
        prettyName: input.os.prettyName,
      },
      arch: null,
      kernel: { running: input.inventory.kernel, newestInstalled: null },
      reboot: { required: false, reasons: [], packages: [] },
    };
    await updateHostFacts(
      tx,
      host.id,
      facts,
      createHash('sha256').update(JSON.stringify(facts)).digest('hex'),
    );
    await storeInventory(tx, host.id, { manager, packages, updates: null, hash }, now);
    await markHostSeen(tx, host.id, now);
    await appendAudit(tx, {
      actor: input.actor,
      action: existing ? 'host.reimport' : 'host.import',
      target: `host:${host.id}`,
      after: {
        hostname: input.hostname,
        os: `${input.os.id}:${input.os.versionId}`,
        packages: packages.length,
        tags: input.tags,
      },
      at: now,
    });
    return host.id;
  });
  const assessed = await new Assessor(ctx).assess(hostId);
  return { hostId, packages: packages.length, findings: assessed?.findings ?? 0 };
}
