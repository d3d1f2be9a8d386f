import type { InstalledPackage } from '@patchloop/core';

/**
 * An installed package as the inventory parsers return it, in one line: its source is the
 * binary's own name and version and it has no vendor unless `extra` says otherwise.
 */
export function installed(
  name: string,
  version: string,
  arch: string | null,
  extra: Partial<InstalledPackage> = {},
): InstalledPackage {
  return { name, version, arch, sourceName: name, sourceVersion: version, vendor: null, ...extra };
}
