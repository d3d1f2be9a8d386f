/**
 * Wire format of the Alpine security database (secdb): one document per branch and repository,
 * `https://secdb.alpinelinux.org/<branch>/<repo>.json` (and, in the deprecated
 * alpinelinux/alpine-secdb repository, the same structure as YAML):
 *
 *   distroversion: v3.11
 *   reponame: main
 *   archs: [x86_64, …]
 *   urlprefix: http://dl-cdn.alpinelinux.org/alpine
 *   apkurl: "{{urlprefix}}/{{distroversion}}/{{reponame}}/{{arch}}/{{pkg.name}}-{{pkg.ver}}.apk"
 *   packages:
 *     - pkg:
 *         name: ansible
 *         secfixes:
 *           2.9.3-r0: [CVE-2019-14904, CVE-2019-14905]
 *           "0": [CVE-…]
 *
 * The secdb is generated from the `# secfixes:` comment blocks of the APKBUILDs in aports, so
 * `name` is the aports directory, i.e. the origin (source) package, not a binary subpackage. Each
 * key of `secfixes` is the package version (pkgver-rpkgrel) that fixed the issues listed under it,
 * as written by the maintainer; the key "0" means the issues never affected Alpine's package
 * (maintainers "attribute a security fix to version 0" to reject a CVE). Entries are usually one
 * CVE id, sometimes followed by another id (`CVE-2016-6258 XSA-182`) or a comment in parentheses
 * (`CVE-2018-14468 (FrameRelay)`), sometimes only a non-CVE id (`XSA-207`).
 *
 * `packages` is empty (YAML `packages:` with no value, JSON null) for a repository without
 * secfixes, and a version key may have no list at all (YAML `7.4.0-r0:` with no value).
 */

export interface RawSecdbPackage {
  readonly pkg: {
    readonly name: string;
    /** Fixed version → ids; a null list occurs in the data (and is reported). */
    readonly secfixes: Readonly<Record<string, readonly string[] | null>> | null;
  };
}

export interface RawSecdb {
  /** `v3.11`, `edge`. */
  readonly distroversion: string;
  /** `main`, `community`. */
  readonly reponame: string;
  readonly archs?: readonly string[];
  readonly urlprefix?: string;
  readonly apkurl?: string;
  readonly packages: readonly RawSecdbPackage[] | null;
}
