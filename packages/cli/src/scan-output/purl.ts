/**
 * Package URLs (https://github.com/package-url/purl-spec) for installed OS
 * packages, as the CycloneDX and SARIF outputs name them:
 *
 *   pkg:deb/debian/libssl1.1@1.1.1d-0%2Bdeb10u2?arch=amd64&distro=debian-10
 *   pkg:deb/debian/libc6@1:2.28-10?arch=amd64&distro=debian-10
 *   pkg:rpm/almalinux/openssl@3.0.7-27.el9?arch=x86_64&distro=almalinux-9.4&epoch=1
 *   pkg:apk/alpine/musl@1.1.22-r3?arch=x86_64&distro=3.10.2
 *
 * - Percent-encoding (purl spec, "Character encoding"): everything but ASCII
 *   letters, digits, `.-_~` and `:` is encoded, so a Debian `+` becomes `%2B`
 *   while `~` and an epoch's `:` stay as they are.
 * - deb: the epoch stays in the version, as the purl spec's deb examples
 *   write it (`attr@1:2.4.47-2%2Bb1`) and dpkg prints it.
 * - rpm: the version is version-release without the epoch; a non-zero epoch
 *   is the `epoch` qualifier (purl spec, rpm type).
 * - Namespace: the vendor, from the os-release ID ("debian", "ubuntu",
 *   "almalinux", "rocky"; RHEL is "redhat", as Red Hat's own SBOMs and VEX
 *   write it; Oracle Linux "oracle"). With no known OS there is no namespace.
 * - Qualifiers, sorted by key as the spec's canonical form requires: `arch`,
 *   `distro`, `epoch`. `distro` is "<namespace>-<VERSION_ID>" for deb and rpm
 *   and the bare VERSION_ID for apk, the forms Trivy writes and reads back
 *   (os-release VERSION_ID as given: "10", "9.4", "3.10.2").
 * - deb and apk names are lower-cased (those types' names are not case
 *   sensitive); rpm names keep their case.
 */
import type { InstalledPackage, OsIdentity, PackageManager } from '@patchloop/core';

const PURL_TYPE: Readonly<Record<PackageManager, 'deb' | 'rpm' | 'apk'>> = {
  dpkg: 'deb',
  rpm: 'rpm',
  apk: 'apk',
};

/** os-release IDs whose purl namespace (vendor) differs from the ID. */
const VENDOR_BY_OS_ID: Readonly<Record<string, string>> = {
  rhel: 'redhat',
  ol: 'oracle',
  amzn: 'amazon',
};

/** Percent-encodes a purl component: all but ASCII alphanumerics, `.-_~` and `:`. */
export function purlEncode(s: string): string {
  return encodeURIComponent(s)
    .replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%3A/g, ':');
}

export function purlNamespace(os: OsIdentity | null): string | null {
  if (os === null || os.id === '') return null;
  const id = os.id.toLowerCase();
  return VENDOR_BY_OS_ID[id] ?? id;
}

/** The package URL of one installed package on a host with this OS. */
export function packageUrl(manager: PackageManager, os: OsIdentity | null, p: InstalledPackage): string {
  const type = PURL_TYPE[manager];
  const namespace = purlNamespace(os);
  let name = p.name;
  let version = p.version;
  const qualifiers: [string, string][] = [];
  if (p.arch !== null && p.arch !== '') qualifiers.push(['arch', p.arch]);
  if (os !== null && os.versionId !== '' && namespace !== null) {
    qualifiers.push(['distro', type === 'apk' ? os.versionId : `${namespace}-${os.versionId}`]);
  }
  if (type === 'rpm') {
    const m = /^(\d+):(.*)$/.exec(version);
    if (m) {
      version = m[2] as string;
      const epoch = String(Number(m[1]));
      if (epoch !== '0') qualifiers.push(['epoch', epoch]);
    }
  } else {
    name = name.toLowerCase();
  }
  qualifiers.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const q = qualifiers.map(([k, v]) => `${k}=${purlEncode(v)}`).join('&');
  return (
    `pkg:${type}/` +
    (namespace !== null ? `${purlEncode(namespace)}/` : '') +
    purlEncode(name) +
    (version !== '' ? `@${purlEncode(version)}` : '') +
    (q !== '' ? `?${q}` : '')
  );
}

/**
 * The package URLs of a finding's installed package: every inventory entry
 * with its name and version (one per architecture installed), or, when the
 * inventory does not list it, one without an arch.
 */
export function findingPurls(
  inventory: { readonly manager: PackageManager; readonly packages: readonly InstalledPackage[] },
  os: OsIdentity | null,
  f: { readonly package: string; readonly sourcePackage: string; readonly installedVersion: string },
): string[] {
  const matches = inventory.packages.filter((p) => p.name === f.package && p.version === f.installedVersion);
  const pkgs: InstalledPackage[] =
    matches.length > 0
      ? matches
      : [
          {
            name: f.package,
            version: f.installedVersion,
            arch: null,
            sourceName: f.sourcePackage,
            sourceVersion: f.installedVersion,
            vendor: null,
          },
        ];
  return [...new Set(pkgs.map((p) => packageUrl(inventory.manager, os, p)))].sort();
}
