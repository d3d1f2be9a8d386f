/**
 * Where `patchloop scan` gets the host's inventory and OS from: one of the
 * package database files, an inventory file, or a filesystem root (this
 * machine by default).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  PatchloopError,
  parseApkInstalled,
  parseDpkgStatus,
  parseInventoryCsv,
  parseInventoryJson,
  parseOsRelease,
  parseRpmManifest,
  parseRpmQa,
  osIdentityFromRelease,
  RPM_QUERY_FORMAT,
  type InstalledPackage,
  type Inventory,
  type OsIdentity,
  type PackageManager,
} from '@patchloop/core';

export interface ScanInputOptions {
  dpkgStatus?: string;
  rpmQa?: string;
  rpmManifest?: string;
  apkInstalled?: string;
  inventory?: string;
  root?: string;
}

const read = (file: string) => {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    throw new PatchloopError(
      'PL_SCAN_INPUT_INVALID',
      `cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
    );
  }
};

function fromPackages(
  manager: PackageManager,
  packages: InstalledPackage[],
  os: OsIdentity | null = null,
): Inventory {
  return { os, manager, packages, kernel: null };
}

function osOfRoot(root: string): OsIdentity | null {
  const file = ['etc/os-release', 'usr/lib/os-release'].map((f) => join(root, f)).find((f) => existsSync(f));
  return file ? osIdentityFromRelease(parseOsRelease(read(file))) : null;
}

/** Reads the package database under a filesystem root (a mounted image, a chroot, or /). */
export function inventoryOfRoot(root: string): Inventory {
  const os = osOfRoot(root);
  const dpkg = join(root, 'var/lib/dpkg/status');
  if (existsSync(dpkg)) return fromPackages('dpkg', parseDpkgStatus(read(dpkg)), os);
  const apk = join(root, 'lib/apk/db/installed');
  if (existsSync(apk)) return fromPackages('apk', parseApkInstalled(read(apk)), os);
  if (existsSync(join(root, 'var/lib/rpm')) || existsSync(join(root, 'usr/lib/sysimage/rpm'))) {
    let out: string;
    try {
      // No shell: the root path is an argument, never part of a command line.
      out = execFileSync('rpm', ['--root', root, '-qa', '--qf', RPM_QUERY_FORMAT], {
        encoding: 'utf8',
        maxBuffer: 256 << 20,
      });
    } catch (e) {
      throw new PatchloopError(
        'PL_SCAN_INPUT_INVALID',
        `cannot read the rpm database under ${root}: ${(e as Error).message}`,
      );
    }
    return fromPackages('rpm', parseRpmQa(out), os);
  }
  throw new PatchloopError('PL_SCAN_INPUT_INVALID', `no dpkg, rpm or apk package database under ${root}`);
}

export function readScanInput(o: ScanInputOptions): Inventory {
  const given = (['dpkgStatus', 'rpmQa', 'rpmManifest', 'apkInstalled', 'inventory', 'root'] as const).filter(
    (k) => o[k] !== undefined,
  );
  if (given.length > 1) {
    throw new PatchloopError(
      'PL_SCAN_INPUT_INVALID',
      'give one inventory source (--dpkg-status, --rpm-qa, --rpm-manifest, --apk-installed, --inventory or --root)',
    );
  }
  if (o.dpkgStatus !== undefined) return fromPackages('dpkg', parseDpkgStatus(read(o.dpkgStatus)));
  if (o.rpmQa !== undefined) return fromPackages('rpm', parseRpmQa(read(o.rpmQa)));
  if (o.rpmManifest !== undefined) return fromPackages('rpm', parseRpmManifest(read(o.rpmManifest)));
  if (o.apkInstalled !== undefined) return fromPackages('apk', parseApkInstalled(read(o.apkInstalled)));
  if (o.inventory !== undefined) {
    const text = read(o.inventory);
    return /^\s*[{[]/.test(text) ? parseInventoryJson(text) : parseInventoryCsv(text);
  }
  return inventoryOfRoot(o.root ?? '/');
}
