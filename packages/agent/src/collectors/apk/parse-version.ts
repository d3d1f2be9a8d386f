/**
 * `apk version -l '<'`: installed packages with a newer version in the
 * repositories, under a two-column header:
 *
 *   Installed:                                Available:
 *   libssl1.0-1.0.1q-r0                     < 1.0.2m-r0
 *
 * The left side is `name-version` with no separator apk guarantees: it is
 * split at the first dash after which an apk-valid version follows, preferring
 * a split whose name is an installed package ("font-misc-75dpi-1.0.4-r0" is
 * font-misc-75dpi 1.0.4-r0). apk knows nothing of security pockets: every
 * update is unclassified.
 */
import { apk } from '@patchloop/core';
import type { InstalledPackage } from '@patchloop/core';
import type { Parsed, CollectedUpdate } from '../wire-package.js';

const ROW = /^(\S+)\s+<\s+(\S+)$/;

/** name and version of an apk `name-version` string, or null. */
export function splitApkNameVersion(
  text: string,
  installedNames: ReadonlySet<string>,
): { name: string; version: string } | null {
  const splits: { name: string; version: string }[] = [];
  for (let i = text.indexOf('-'); i > 0; i = text.indexOf('-', i + 1)) {
    const version = text.slice(i + 1);
    if (/^\d/.test(version) && apk.validate(version) === null)
      splits.push({ name: text.slice(0, i), version });
  }
  return splits.find((s) => installedNames.has(s.name)) ?? splits[0] ?? null;
}

export function parseApkVersionList(
  text: string,
  installed: readonly InstalledPackage[],
): Parsed<CollectedUpdate> {
  const items: CollectedUpdate[] = [];
  const warnings: string[] = [];
  const archOf = new Map(installed.map((p) => [p.name, p.arch ?? '']));
  const names = new Set(archOf.keys());
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('Installed:')) return;
    const m = ROW.exec(line);
    const left = m === null ? null : splitApkNameVersion(m[1] as string, names);
    if (m === null || left === null) {
      warnings.push(`apk version line ${i + 1}: not "name-version < version": ${line.slice(0, 120)}`);
      return;
    }
    let candidate = m[2] as string;
    if (candidate.startsWith(`${left.name}-`)) candidate = candidate.slice(left.name.length + 1);
    if (apk.validate(candidate) !== null) {
      warnings.push(`apk version line ${i + 1}: ${JSON.stringify(candidate)} is not an apk version`);
      return;
    }
    items.push({
      name: left.name,
      arch: archOf.get(left.name) ?? '',
      installedVersion: left.version,
      candidateVersion: candidate,
      repository: null,
      security: false,
      advisoryIds: [],
      classification: null,
    });
  });
  return { items, warnings };
}
