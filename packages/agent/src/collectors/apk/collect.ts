/**
 * An apk host: installed packages from /lib/apk/db/installed (core's parser),
 * updates from `apk version -l '<'` on the host (inside the root); no apk: null.
 */
import { parseApkInstalled } from '@patchloop/core';
import type { InstalledPackage } from '@patchloop/core';
import type { HostRunner } from '../../runner/runner.js';
import { decode } from '../wire-package.js';
import type { CollectedUpdate } from '../wire-package.js';
import { parseApkVersionList } from './parse-version.js';

export const APK_INSTALLED = '/lib/apk/db/installed';

export async function collectApkPackages(runner: HostRunner): Promise<InstalledPackage[] | null> {
  const text = decode(await runner.readFile(APK_INSTALLED));
  return text === null ? null : parseApkInstalled(text);
}

export async function collectApkUpdates(
  runner: HostRunner,
  installed: readonly InstalledPackage[],
  warnings: string[],
): Promise<CollectedUpdate[] | null> {
  const res = await runner.run('apk', ['version', '-l', '<'], { timeoutMs: 300_000 });
  if (res === null) {
    warnings.push(`apk is not available (${runner.description}): updates unknown`);
    return null;
  }
  if (res.code !== 0) {
    warnings.push(`apk version exited ${res.code}: ${res.stderr.trim().split('\n').pop() ?? ''}`);
    return null;
  }
  // apk warns on stderr (an unreachable repository) and still exits 0 with a shorter list.
  for (const line of res.stderr.split('\n'))
    if (line.startsWith('WARNING:')) warnings.push(`apk: ${line.slice(0, 300)}`);
  const parsed = parseApkVersionList(res.stdout, installed);
  warnings.push(...parsed.warnings);
  return parsed.items;
}
