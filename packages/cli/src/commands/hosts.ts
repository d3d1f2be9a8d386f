/**
 * `patchloop hosts import`: an offline host (no agent) from an inventory
 * file, stored and assessed in the store like an agent's host.
 */
import { Command } from 'commander';
import { parseOsSpec, PatchloopError } from '@patchloop/core';
import type { CliConfig } from '../config.js';
import { readScanInput } from '../scan/input.js';
import type { Io } from './versions.js';

interface ImportOptions {
  dataDir?: string;
  hostname: string;
  os?: string;
  tags?: string;
  dpkgStatus?: string;
  rpmQa?: string;
  apkInstalled?: string;
  inventory?: string;
}

export function hostsCommand(io: Io, config: CliConfig): Command {
  const hosts = new Command('hosts').description('manage hosts in the store');
  hosts
    .command('import')
    .description('add (or update) an offline host from an inventory file and assess it')
    .requiredOption('--hostname <name>', 'the host name')
    .option('--os <id:version>', 'the OS release, e.g. debian:12 (required unless the inventory says)')
    .option('--tags <a,b>', 'tags for the host')
    .option('--dpkg-status <file>', 'a dpkg status file')
    .option('--rpm-qa <file>', 'rpm -qa output')
    .option('--apk-installed <file>', "apk's installed database")
    .option('--inventory <file>', 'a normalized CSV or Patchloop JSON inventory')
    .option('--data-dir <dir>', 'embedded store directory (default: PATCHLOOP_DATA_DIR or ./patchloop-data)')
    .action(async (opts: ImportOptions) => {
      const inventory = readScanInput({
        dpkgStatus: opts.dpkgStatus,
        rpmQa: opts.rpmQa,
        apkInstalled: opts.apkInstalled,
        inventory: opts.inventory,
      });
      const os = opts.os !== undefined ? parseOsSpec(opts.os) : inventory.os;
      if (!os)
        throw new PatchloopError('PL_OS_UNSUPPORTED', 'the inventory does not say which OS it is: give --os');
      const tags = opts.tags
        ? opts.tags
            .split(',')
            .map((t) => t.trim())
            .filter((t) => t !== '')
        : [];
      for (const t of tags) {
        if (!/^[A-Za-z0-9_.:/-]{1,64}$/.test(t)) throw new PatchloopError('PL_USAGE', `invalid tag "${t}"`);
      }
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
        io.stdout.write(
          `host ${r.hostId} ${opts.hostname}: ${r.packages} packages, ${r.findings} findings\n`,
        );
      } finally {
        await db.close();
      }
    });
  return hosts;
}
