/**
 * An inventory file's text, parsed by the format its caller names: the one
 * entry for the CLI's file options and the API's host import.
 */
import { parseApkInstalled } from './apk-installed.js';
import { parseDpkgStatus } from './dpkg-status.js';
import type { InstalledPackage, Inventory, PackageManager } from './model.js';
import { parseInventoryCsv } from './normalized-csv.js';
import { parseInventoryJson } from './patchloop-json.js';
import { parseRpmManifest } from './rpm-manifest.js';
import { parseRpmQa } from './rpm-qa.js';

export const INVENTORY_FORMATS = [
  'dpkg-status',
  'rpm-qa',
  'rpm-manifest',
  'apk-installed',
  'inventory',
] as const;
export type InventoryFormat = (typeof INVENTORY_FORMATS)[number];

const packagesOnly = (manager: PackageManager, packages: InstalledPackage[]): Inventory => ({
  os: null,
  manager,
  packages,
  kernel: null,
});

/** `inventory` is a normalized CSV or a Patchloop JSON document (told apart by its first character). */
export function parseInventoryText(format: InventoryFormat, text: string): Inventory {
  switch (format) {
    case 'dpkg-status':
      return packagesOnly('dpkg', parseDpkgStatus(text));
    case 'rpm-qa':
      return packagesOnly('rpm', parseRpmQa(text));
    case 'rpm-manifest':
      return packagesOnly('rpm', parseRpmManifest(text));
    case 'apk-installed':
      return packagesOnly('apk', parseApkInstalled(text));
    case 'inventory':
      return /^\s*[{[]/.test(text) ? parseInventoryJson(text) : parseInventoryCsv(text);
  }
}
