/**
 * The RHEL family (AlmaLinux, Rocky, RHEL, CentOS, Oracle): OSV errata name
 * binary packages per major release; rpm ordering with epochs.
 */
import type { OsFamily } from '../../ecosystem/family.js';
import type { InstalledPackage, OsIdentity } from '../../inventory/model.js';
import { major } from './versions.js';

/** RPM vendors whose packages are the distribution's (or binary-compatible rebuilds). */
const RPM_DISTRO_VENDORS = /almalinux|red hat|rocky|centos|fedora|oracle|amazon|cloudlinux|suse/i;
/** Distribution dist tags in a release ("el9", "el9_3", "module+el8", "fc39", "amzn2"). */
const RPM_DIST_TAG = /(^|[.+_])(el\d+|fc\d+|amzn\d*|module\+el\d+)/;

const ECOSYSTEM_BY_OS: Readonly<Record<string, readonly string[]>> = {
  almalinux: ['AlmaLinux'],
  rocky: ['Rocky Linux'],
  // RHEL, CentOS and other rebuilds share RHEL's package names and versions:
  // AlmaLinux's and Rocky's errata mirror Red Hat's.
  rhel: ['AlmaLinux', 'Rocky Linux'],
  centos: ['AlmaLinux', 'Rocky Linux'],
  ol: ['AlmaLinux', 'Rocky Linux'],
};

const EOL_PRODUCT: Readonly<Record<string, string>> = {
  almalinux: 'almalinux',
  rocky: 'rocky-linux',
  rhel: 'rhel',
  centos: 'centos',
  ol: 'oracle-linux',
};

export const rhel: OsFamily = {
  name: 'rhel',
  osIds: Object.keys(ECOSYSTEM_BY_OS),
  manager: 'rpm',
  scheme: 'rpm',
  matchBy: 'binary',
  targets: (os) =>
    (ECOSYSTEM_BY_OS[os.id] ?? []).map((ecosystem) => ({ ecosystem, releases: [major(os.versionId)] })),
  eolCycle: (os) => {
    const product = EOL_PRODUCT[os.id];
    return product && os.versionId !== '' ? { product, cycle: major(os.versionId) } : null;
  },
  thirdParty(pkg: InstalledPackage) {
    if (pkg.name === 'gpg-pubkey') return 'a signing key, not a package';
    // A vendor name that is not a distribution's marks a third-party package. A
    // signing key id (image manifests give those) is not judged: an unknown key
    // could be a distribution's new one, and missing findings is worse.
    if (pkg.vendor && !/^[0-9a-f]{8,40}$/i.test(pkg.vendor) && !RPM_DISTRO_VENDORS.test(pkg.vendor)) {
      return `vendor "${pkg.vendor}"`;
    }
    const release = pkg.version.slice(pkg.version.lastIndexOf('-') + 1);
    if (!RPM_DIST_TAG.test(release)) return `release "${release}" has no distribution tag`;
    return null;
  },
  fixedVersionFor(fixed, target, os: OsIdentity) {
    // AlmaLinux rebuilds some packages as "<RHEL release>.alma.N" (or ".alma.plus"); the same fix
    // on RHEL or another rebuild is the RHEL release.
    return target.ecosystem === 'AlmaLinux' && os.id !== 'almalinux'
      ? fixed.replace(/\.alma(\.[^.]+)*$/, '')
      : fixed;
  },
};
