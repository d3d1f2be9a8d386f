/** OS release, hostname, machine id and architecture of a host, through its runner. */
import { PatchloopError } from '@patchloop/core';
import type { InstalledPackage, PackageManager } from '@patchloop/core';
import type { HostFacts } from '@patchloop/contracts';
import { runsOnLiveHost } from '../../runner/runner.js';
import type { HostRunner } from '../../runner/runner.js';
import { decode } from '../wire-package.js';
import { kernelArch, osFromReleaseText, parseArchFile, parseHostname, parseMachineId } from './parse.js';

const OS_RELEASE = ['/etc/os-release', '/usr/lib/os-release'];
const MACHINE_ID = ['/etc/machine-id', '/var/lib/dbus/machine-id'];
const SMALL = 1 << 20;

/** The OS release; throws PL_AGENT_OS_RELEASE_MISSING when neither os-release file exists. */
export async function collectOsRelease(runner: HostRunner): Promise<HostFacts['os']> {
  for (const path of OS_RELEASE) {
    const text = decode(await runner.readFile(path, SMALL));
    if (text !== null) return osFromReleaseText(text);
  }
  throw new PatchloopError(
    'PL_AGENT_OS_RELEASE_MISSING',
    `${runner.description}: no ${OS_RELEASE.join(' or ')}: cannot tell which OS this is`,
    { runner: runner.description },
  );
}

/** /etc/hostname under the root, else (on a live host) the `hostname` command; null when neither gives one. */
export async function collectHostname(runner: HostRunner, warnings: string[]): Promise<string | null> {
  const file = decode(await runner.readFile('/etc/hostname', SMALL));
  const fromFile = file === null ? null : parseHostname(file);
  if (fromFile !== null) return fromFile;
  if (!runsOnLiveHost(runner)) {
    warnings.push('no usable /etc/hostname under the root');
    return null;
  }
  const res = await runner.run('hostname', []);
  const fromCommand = res !== null && res.code === 0 ? parseHostname(res.stdout) : null;
  if (fromCommand === null) warnings.push('no usable /etc/hostname and the hostname command gave none');
  return fromCommand;
}

export async function collectMachineId(runner: HostRunner, warnings: string[]): Promise<string | null> {
  for (const path of MACHINE_ID) {
    const text = decode(await runner.readFile(path, SMALL));
    if (text === null) continue;
    const id = parseMachineId(text);
    if (id !== null) return id;
    warnings.push(`${path} does not hold a machine id (32 hex characters)`);
  }
  warnings.push(`no machine id (${MACHINE_ID.join(', ')})`);
  return null;
}

/**
 * The architecture, in `uname -m` spelling: from `uname -m` on a live host,
 * else from the package manager (dpkg's arch file or the `dpkg` package, apk's
 * /etc/apk/arch, the arch of rpm's `rpm` or `glibc` package).
 */
export async function collectArch(
  runner: HostRunner,
  manager: PackageManager,
  packages: readonly InstalledPackage[],
  warnings: string[],
): Promise<string | null> {
  if (runsOnLiveHost(runner)) {
    const res = await runner.run('uname', ['-m']);
    const arch = res !== null && res.code === 0 ? kernelArch(res.stdout) : null;
    if (arch !== null) return arch;
    warnings.push('uname -m gave no architecture; using the package manager’s');
  }
  const archOf = (...names: string[]): string | null => {
    for (const name of names) {
      const arch = kernelArch(packages.find((p) => p.name === name)?.arch ?? null);
      if (arch !== null) return arch;
    }
    return null;
  };
  let arch: string | null;
  if (manager === 'dpkg') {
    const file = decode(await runner.readFile('/var/lib/dpkg/arch', SMALL));
    arch = (file === null ? null : parseArchFile(file)) ?? archOf('dpkg');
  } else if (manager === 'apk') {
    const file = decode(await runner.readFile('/etc/apk/arch', SMALL));
    arch = (file === null ? null : parseArchFile(file)) ?? archOf('apk-tools', 'musl');
  } else {
    arch = archOf('rpm', 'glibc');
  }
  if (arch === null) warnings.push('could not tell the architecture');
  return arch;
}
