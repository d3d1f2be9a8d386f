/**
 * The host facts read from files: os-release (through core's parser), the
 * hostname, the machine id, and the architecture as the package manager
 * names it, reported in the kernel's (`uname -m`) spelling.
 */
import { osIdentityFromRelease, parseOsRelease } from '@patchloop/core';
import type { HostFacts } from '@patchloop/contracts';

export function osFromReleaseText(text: string): HostFacts['os'] {
  const id = osIdentityFromRelease(parseOsRelease(text));
  return {
    id: id.id.slice(0, 64),
    versionId: id.versionId === '' ? null : id.versionId.slice(0, 64),
    codename: id.codename?.slice(0, 64) ?? null,
    prettyName: id.prettyName?.slice(0, 256) ?? null,
  };
}

/** The first line of /etc/hostname or `hostname` output, when it is a plausible host name. */
export function parseHostname(text: string): string | null {
  const line = text
    .split('\n')
    .map((l) => l.trim())
    .find((l) => l !== '' && !l.startsWith('#'));
  if (line === undefined || line.length > 253 || !/^[A-Za-z0-9._-]+$/.test(line)) return null;
  return line;
}

/** A machine-id file (machine-id(5)): 32 lower-case hex characters; null when empty or "uninitialized". */
export function parseMachineId(text: string): string | null {
  const id = text.trim().toLowerCase();
  return /^[0-9a-f]{32}$/.test(id) ? id : null;
}

/** dpkg and apk architecture names that differ from the kernel's `uname -m`. */
const KERNEL_ARCH: Readonly<Record<string, string>> = {
  amd64: 'x86_64',
  arm64: 'aarch64',
  ppc64el: 'ppc64le',
};

/** An architecture in the kernel's spelling (amd64 → x86_64); null for '' or a placeholder. */
export function kernelArch(arch: string | null): string | null {
  const a = arch?.trim() ?? '';
  if (a === '' || a === 'all' || a === 'noarch' || a === 'any' || a === '(none)') return null;
  return KERNEL_ARCH[a] ?? a;
}

/** The first word of an arch file (/var/lib/dpkg/arch lists the native one first, /etc/apk/arch holds one). */
export function parseArchFile(text: string): string | null {
  return kernelArch(text.split('\n')[0] ?? null);
}
