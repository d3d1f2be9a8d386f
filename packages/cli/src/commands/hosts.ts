/**
 * `patchloop hosts import`: an offline host (no agent) from an inventory
 * file, stored and assessed in the store like an agent's host.
 */
import { Command } from 'commander';
import { parseOsSpec, PatchloopError } from '@patchloop/core';
import type { CliConfig } from '../config.js';
import type { HostImportResult } from '@patchloop/contracts';
import { inventoryFile, readInputFile, readScanInput } from '../scan/input.js';
import { addTargetOptions, apiRequest, serverTarget, type TargetOptions } from '../server-api.js';
import type { Io } from './versions.js';

interface ImportOptions extends TargetOptions {
  hostname: string;
  os?: string;
  tags?: string;
  dpkgStatus?: string;
  rpmQa?: string;
  apkInstalled?: string;
  inventory?: string;
}

function parseTags(list: string | undefined): string[] {
  const tags = (list ?? '')
    .split(',')
    .map((t) => t.trim())
    .filter((t) => t !== '');
  for (const t of tags) {
    if (!/^[A-Za-z0-9_.:/-]{1,64}$/.test(t)) throw new PatchloopError('PL_USAGE', `invalid tag "${t}"`);
  }
  return tags;
}

export function hostsCommand(io: Io, config: CliConfig): Command {
  const hosts = new Command('hosts').description('manage hosts in the store');
  const importCmd = hosts
    .command('import')
    .description('add (or update) an offline host from an inventory file and assess it')
    .requiredOption('--hostname <name>', 'the host name')
    .option('--os <id:version>', 'the OS release, e.g. debian:12 (required unless the inventory says)')
    .option('--tags <a,b>', 'tags for the host')
    .option('--dpkg-status <file>', 'a dpkg status file')
    .option('--rpm-qa <file>', 'rpm -qa output')
    .option('--apk-installed <file>', "apk's installed database")
    .option('--inventory <file>', 'a normalized CSV or Patchloop JSON inventory');
  addTargetOptions(importCmd).action(async (opts: ImportOptions) => {
    const tags = parseTags(opts.tags);
    const target = serverTarget(opts, process.env);
    if (target) {
      const file = inventoryFile(opts);
      if (!file) {
        throw new PatchloopError(
          'PL_USAGE',
          'give the inventory: --dpkg-status, --rpm-qa, --apk-installed or --inventory',
        );
      }
      const r = await apiRequest<HostImportResult>(
        target,
        'POST',
        '/api/v1/hosts/import',
        {
          text: JSON.stringify({
            hostname: opts.hostname,
            ...(opts.os !== undefined ? { os: opts.os } : {}),
            tags,
            format: file.format,
            content: readInputFile(file.path),
          }),
          contentType: 'application/json',
        },
        600_000,
      );
      io.stdout.write(
        `host ${r.body.hostId} ${r.body.hostname}: ${r.body.packages} packages, ${r.body.findings} findings\n`,
      );
      return;
    }
    const inventory = readScanInput({
      dpkgStatus: opts.dpkgStatus,
      rpmQa: opts.rpmQa,
      apkInstalled: opts.apkInstalled,
      inventory: opts.inventory,
    });
    const os = opts.os !== undefined ? parseOsSpec(opts.os) : inventory.os;
    if (!os)
      throw new PatchloopError('PL_OS_UNSUPPORTED', 'the inventory does not say which OS it is: give --os');
    const { openStore, resolveDbConfig } = await import('@patchloop/store');
    const server = await import('@patchloop/server');
    const db = await openStore(
      resolveDbConfig(process.env, {
        dataDir: opts.dataDir ?? config.dataDir,
        databaseUrl: config.databaseUrl,
      }),
    );
    try {
      const ctx = server.createContext(db, server.loadServerConfig({}));
      const r = await server.importHost(ctx, {
        hostname: opts.hostname,
        os,
        tags,
        inventory,
        actor: 'cli',
      });
      io.stdout.write(`host ${r.hostId} ${opts.hostname}: ${r.packages} packages, ${r.findings} findings\n`);
    } finally {
      await db.close();
    }
  });
  return hosts;
}
