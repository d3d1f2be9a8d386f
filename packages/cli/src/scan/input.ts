/**
 * Where `patchloop scan` gets the host's inventory and OS from: one of the
 * package database files, an inventory file, or a filesystem root (this
 * machine by default).
 */
import { execFileSync } from 'node:child_process';
import { lstatSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import {
  PatchloopError,
  parseApkInstalled,
  parseDpkgStatus,
  parseInventoryText,
  parseOsRelease,
  parseRpmQa,
  osIdentityFromRelease,
  RPM_QUERY_FORMAT,
  type InstalledPackage,
  type Inventory,
  type InventoryFormat,
  type OsIdentity,
  type PackageManager,
} from '@patchloop/core';
import { describeFileType, readFileInRoot, resolveInRoot, type ResolvedInRoot } from './root-files.js';

export interface ScanInputOptions {
  dpkgStatus?: string;
  rpmQa?: string;
  rpmManifest?: string;
  apkInstalled?: string;
  inventory?: string;
  root?: string;
}

/** An input file's text, or PL_SCAN_INPUT_INVALID naming why it cannot be read. */
export const readInputFile = (file: string) => {
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
  for (const file of ['etc/os-release', 'usr/lib/os-release']) {
    const text = readFileInRoot(root, file);
    if (text !== null) return osIdentityFromRelease(parseOsRelease(text));
  }
  return null;
}

/** Where rpm keeps its database, newest layout first (paths inside the root). */
const RPM_DB_PATHS = ['/usr/lib/sysimage/rpm', '/var/lib/rpm'];
/** The files an rpm database directory holds: sqlite (rpm ≥ 4.16), ndb, Berkeley DB. */
const RPM_DB_FILES = ['rpmdb.sqlite', 'Packages.db', 'Packages'];

/**
 * The rpm database directory under a root, as a path inside the root with no
 * symbolic link in it (so that `rpm --root` cannot be led outside the root by
 * one); null when there is none. The first of {@link RPM_DB_PATHS} that holds a
 * database wins. Every entry of that directory must be a regular file or a
 * directory: rpm opens them itself, and a link or a FIFO there could lead it
 * out of the root or hang it.
 */
function rpmDbPathOfRoot(root: string): string | null {
  const refuse = (reason: string) =>
    new PatchloopError('PL_SCAN_INPUT_INVALID', `cannot read the rpm database under ${root}: ${reason}`);
  const code = (e: unknown) => (e as NodeJS.ErrnoException).code ?? (e as Error).message;
  const dirs: ResolvedInRoot[] = [];
  for (const candidate of RPM_DB_PATHS) {
    const found = resolveInRoot(root, candidate);
    if (found === null) continue;
    if (!found.stats.isDirectory()) {
      throw refuse(`${candidate} is ${describeFileType(found.stats)}, not a directory`);
    }
    dirs.push(found);
  }
  const db = dirs.find((d) => RPM_DB_FILES.some((f) => resolveInRoot(root, `${d.inRoot}/${f}`) !== null));
  if (db === undefined) {
    if (dirs.length === 0) return null;
    const names = dirs.map((d) => d.inRoot).join(' and ');
    throw refuse(
      `${names} ${dirs.length === 1 ? 'holds' : 'hold'} no rpm database (${RPM_DB_FILES.join(', ')})`,
    );
  }
  let entries: string[];
  try {
    entries = readdirSync(db.path);
  } catch (e) {
    throw refuse(`${code(e)} on ${db.inRoot}`);
  }
  for (const entry of entries) {
    let stats;
    try {
      stats = lstatSync(join(db.path, entry));
    } catch (e) {
      throw refuse(`${code(e)} on ${db.inRoot}/${entry}`);
    }
    if (!stats.isFile() && !stats.isDirectory()) {
      throw refuse(`${db.inRoot}/${entry} is ${describeFileType(stats)}, not a regular file`);
    }
  }
  return db.inRoot;
}

/** Reads the package database under a filesystem root (a mounted image, a chroot, or /). */
export function inventoryOfRoot(root: string): Inventory {
  const os = osOfRoot(root);
  const dpkg = readFileInRoot(root, 'var/lib/dpkg/status');
  if (dpkg !== null) return fromPackages('dpkg', parseDpkgStatus(dpkg), os);
  const apk = readFileInRoot(root, 'lib/apk/db/installed');
  if (apk !== null) return fromPackages('apk', parseApkInstalled(apk), os);
  const dbpath = rpmDbPathOfRoot(root);
  if (dbpath !== null) {
    let out: string;
    try {
      // No shell: the root path is an argument, never part of a command line. --dbpath is explicit
      // (inside the root: --root prefixes it), since the host's rpm macros may put it anywhere
      // (Debian's rpm: /root/.rpmdb).
      out = execFileSync(
        'rpm',
        ['--root', resolve(root), '--dbpath', dbpath, '-qa', '--qf', RPM_QUERY_FORMAT],
        {
          encoding: 'utf8',
          maxBuffer: 256 << 20,
          stdio: ['ignore', 'pipe', 'pipe'],
          timeout: 300_000,
        },
      );
    } catch (e) {
      const err = e as NodeJS.ErrnoException & { stderr?: unknown };
      const stderr = String(err.stderr ?? '').trim();
      const reason =
        err.code === 'ENOENT'
          ? 'the rpm command is not installed (it reads the database)'
          : stderr !== ''
            ? stderr
            : err.message;
      throw new PatchloopError(
        'PL_SCAN_INPUT_INVALID',
        `cannot read the rpm database under ${root} (--dbpath ${dbpath}): ${reason}`,
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
  const file = inventoryFile(o);
  if (file) return parseInventoryText(file.format, readInputFile(file.path));
  return inventoryOfRoot(o.root ?? '/');
}

/** The inventory file an option names, and its format (none: a root). */
export function inventoryFile(o: ScanInputOptions): { format: InventoryFormat; path: string } | null {
  const options = [
    ['dpkg-status', o.dpkgStatus],
    ['rpm-qa', o.rpmQa],
    ['rpm-manifest', o.rpmManifest],
    ['apk-installed', o.apkInstalled],
    ['inventory', o.inventory],
  ] as const;
  for (const [format, path] of options) if (path !== undefined) return { format, path };
  return null;
}
