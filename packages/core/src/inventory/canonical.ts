/**
 * The canonical text of an inventory snapshot, which the agent and the server
 * both hash (SHA-256) to agree on what the server holds: packages sorted by
 * name then arch, updates sorted likewise, fixed field order, one line each.
 * Pure; the hashing itself lives with the I/O (agent, server).
 */
import type { InstalledPackage, PackageManager } from './model.js';

export interface CanonicalUpdate {
  readonly name: string;
  readonly arch: string;
  readonly installedVersion: string | null;
  readonly candidateVersion: string;
  readonly repository: string | null;
  readonly security: boolean;
  readonly advisoryIds: readonly string[];
  readonly classification: string | null;
}

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** The key a package is known by within one host: name and arch. */
export function packageKey(p: { readonly name: string; readonly arch: string | null }): string {
  return `${p.name}\u0000${p.arch ?? ''}`;
}

function byKey<T extends { readonly name: string; readonly arch: string | null }>(a: T, b: T): number {
  return cmp(a.name, b.name) || cmp(a.arch ?? '', b.arch ?? '');
}

export function canonicalInventory(
  manager: PackageManager,
  packages: readonly InstalledPackage[],
  updates: readonly CanonicalUpdate[] | null,
): string {
  const lines: string[] = [`manager ${manager}`];
  for (const p of [...packages].sort(byKey)) {
    lines.push(
      JSON.stringify([
        'p',
        p.name,
        p.arch ?? '',
        p.version,
        p.sourceName,
        p.sourceVersion,
        p.vendor === '' ? null : (p.vendor ?? null),
        p.epochKnown ?? true,
      ]),
    );
  }
  if (updates === null) lines.push('updates unknown');
  else {
    for (const u of [...updates].sort(byKey)) {
      lines.push(
        JSON.stringify([
          'u',
          u.name,
          u.arch,
          u.installedVersion,
          u.candidateVersion,
          u.repository,
          u.security,
          [...u.advisoryIds].sort(),
          u.classification,
        ]),
      );
    }
  }
  return `${lines.join('\n')}\n`;
}
