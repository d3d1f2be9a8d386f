/**
 * What is installed on a host, as every collector and inventory parser
 * reports it: the OS release and the packages with their source packages.
 */

export type PackageManager = 'dpkg' | 'rpm' | 'apk';

export interface InstalledPackage {
  /** Binary package name as the package manager knows it. */
  readonly name: string;
  /**
   * Version exactly as the package manager prints it, with `epoch:` when the
   * epoch is not zero: dpkg "1:2.36-9+deb12u4", rpm EVR "1:3.0.7-27.el9",
   * apk "3.1.2-r0".
   */
  readonly version: string;
  readonly arch: string | null;
  /**
   * Source package (dpkg `Source:`, rpm SOURCERPM name, apk origin `o:`);
   * equal to `name` when the database names none.
   */
  readonly sourceName: string;
  /** Source version (differs from `version` after a Debian binNMU, e.g. "+b1"); equal to `version` when unknown. */
  readonly sourceVersion: string;
  /**
   * Who built the package, when the database says (rpm VENDOR or signing
   * key, dpkg Maintainer, apk maintainer): used to tell distribution
   * packages from third-party ones.
   */
  readonly vendor: string | null;
  /**
   * false when the source does not record epochs (container image rpm
   * manifests, plain `rpm -qa` lines): the version then carries no epoch
   * although the package may have one, and rpm matching compares
   * version-release only. Absent means known.
   */
  readonly epochKnown?: boolean;
}

export interface OsIdentity {
  /** os-release ID, lower-case: "debian", "ubuntu", "almalinux", "rocky", "rhel", "alpine", … */
  readonly id: string;
  /** os-release VERSION_ID: "10", "22.04", "9.4", "3.10.2". */
  readonly versionId: string;
  /** os-release VERSION_CODENAME when known: "buster", "jammy". */
  readonly codename: string | null;
  readonly prettyName: string | null;
}

export interface Inventory {
  readonly os: OsIdentity | null;
  readonly manager: PackageManager;
  /** Installed packages, in the order the source listed them. */
  readonly packages: readonly InstalledPackage[];
  /** Running kernel release (uname -r), when collected. */
  readonly kernel: string | null;
}
