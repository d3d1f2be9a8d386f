/**
 * Which kernels are installed, named by their kernel release (what `uname -r`
 * prints once booted), so the running kernel can be compared with the newest.
 *
 * - dpkg: `linux-image-<release>` packages (Debian "6.1.0-18-amd64", Ubuntu
 *   "5.15.0-91-generic"; also `linux-image-unsigned-…` and `…-unsigned`). The
 *   meta packages (`linux-image-amd64`, `-generic`) name no release and are
 *   skipped: the release starts with a digit.
 * - rpm: `kernel`, `kernel-core`, `kernel-uek`, `kernel-uek-core`: the release
 *   is version-release.arch ("5.14.0-362.8.1.el9_3.x86_64").
 * - apk: `linux-<flavor>` "6.6.16-r0" boots as "6.6.16-0-<flavor>".
 * - /boot/vmlinuz-<release> file names, when the package list names none.
 *
 * The newest is chosen by the package version under the package manager's
 * version scheme; the release strings (which carry the ABI number) break ties
 * and order boot files, compared segment by segment like rpmvercmp.
 */
import { rpmvercmp, schemeFor } from '@patchloop/core';
import type { InstalledPackage, PackageManager } from '@patchloop/core';

export interface KernelCandidate {
  /** The kernel release it boots as ("6.1.0-18-amd64"). */
  release: string;
  /** The package version, when it came from a package. */
  version: string | null;
}

const DPKG_IMAGE = /^linux-image-(?:unsigned-)?(\d\S*?)(?:-unsigned)?$/;
const RPM_KERNELS = new Set(['kernel', 'kernel-core', 'kernel-uek', 'kernel-uek-core']);
const APK_FLAVORS = new Set(['lts', 'virt', 'edge', 'stable', 'rpi', 'rpi2', 'rpi4']);
const APK_VERSION = /^(.+)-r(\d+)$/;

export function installedKernels(
  manager: PackageManager,
  packages: readonly InstalledPackage[],
): KernelCandidate[] {
  const out: KernelCandidate[] = [];
  for (const p of packages) {
    if (manager === 'dpkg') {
      const m = DPKG_IMAGE.exec(p.name);
      if (m !== null) out.push({ release: m[1] as string, version: p.version });
    } else if (manager === 'rpm') {
      if (!RPM_KERNELS.has(p.name) || p.arch === null) continue;
      const evr = p.version.replace(/^\d+:/, '');
      out.push({ release: `${evr}.${p.arch}`, version: p.version });
    } else {
      const flavor = p.name.startsWith('linux-') ? p.name.slice('linux-'.length) : '';
      const m = APK_VERSION.exec(p.version);
      if (APK_FLAVORS.has(flavor) && m !== null) {
        out.push({ release: `${m[1] as string}-${m[2] as string}-${flavor}`, version: p.version });
      }
    }
  }
  return out;
}

/** Kernels named by /boot entries `vmlinuz-<release>` (rescue images and unversioned names skipped). */
export function kernelsFromBoot(names: readonly string[]): KernelCandidate[] {
  return names
    .filter((n) => n.startsWith('vmlinuz-') && !n.includes('rescue'))
    .map((n) => n.slice('vmlinuz-'.length))
    .filter((r) => /^\d/.test(r) && !/\s/.test(r))
    .map((release) => ({ release, version: null }));
}

function compareCandidates(manager: PackageManager, a: KernelCandidate, b: KernelCandidate): number {
  if (a.version !== null && b.version !== null) {
    try {
      const byVersion = schemeFor(manager).compare(a.version, b.version);
      if (byVersion !== 0) return byVersion;
    } catch {
      // A version the scheme rejects: fall back to the release strings.
    }
  }
  return rpmvercmp(a.release, b.release);
}

/** The release of the newest candidate, or null when there is none. */
export function newestKernel(manager: PackageManager, candidates: readonly KernelCandidate[]): string | null {
  let best: KernelCandidate | null = null;
  for (const c of candidates) if (best === null || compareCandidates(manager, c, best) > 0) best = c;
  return best?.release ?? null;
}

/** Whether a newer kernel than the running one is installed (both known and different, the installed one newer). */
export function kernelRebootNeeded(running: string | null, newestInstalled: string | null): boolean {
  if (running === null || newestInstalled === null || running === newestInstalled) return false;
  return rpmvercmp(newestInstalled, running) > 0;
}
