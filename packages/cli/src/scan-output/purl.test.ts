import { describe, expect, it } from 'vitest';
import type { OsIdentity } from '@patchloop/core';
import { findingPurls, packageUrl, purlEncode } from './purl.js';
import { DEBIAN_10, pkg } from './testing.js';

const ALMA_9: OsIdentity = { id: 'almalinux', versionId: '9', codename: null, prettyName: 'AlmaLinux 9.4' };
const ALPINE: OsIdentity = { id: 'alpine', versionId: '3.10', codename: null, prettyName: null };
const UBUNTU: OsIdentity = { id: 'ubuntu', versionId: '22.04', codename: 'jammy', prettyName: null };

describe('purlEncode', () => {
  it('keeps letters, digits, . - _ ~ and the colon', () => {
    expect(purlEncode('AZaz09.-_~:')).toBe('AZaz09.-_~:');
  });

  it('percent-encodes everything else, in upper-case hex', () => {
    expect(purlEncode('1.0+b1')).toBe('1.0%2Bb1');
    expect(purlEncode('a b')).toBe('a%20b');
    expect(purlEncode('a@b/c?d#e&f=g')).toBe('a%40b%2Fc%3Fd%23e%26f%3Dg');
    expect(purlEncode("!'()*")).toBe('%21%27%28%29%2A');
    expect(purlEncode('%')).toBe('%25');
    expect(purlEncode('é')).toBe('%C3%A9');
  });
});

describe('packageUrl', () => {
  it('encodes the Debian + in the version (the spec example)', () => {
    expect(packageUrl('dpkg', DEBIAN_10, pkg('libssl1.1', '1.1.1d-0+deb10u2'))).toBe(
      'pkg:deb/debian/libssl1.1@1.1.1d-0%2Bdeb10u2?arch=amd64&distro=debian-10',
    );
  });

  it('keeps a Debian epoch in the version with its colon unencoded', () => {
    expect(packageUrl('dpkg', DEBIAN_10, pkg('libc6', '1:2.28-10+deb10u1'))).toBe(
      'pkg:deb/debian/libc6@1:2.28-10%2Bdeb10u1?arch=amd64&distro=debian-10',
    );
  });

  it('leaves ~ as it is', () => {
    expect(packageUrl('dpkg', DEBIAN_10, pkg('foo', '2.0~rc1-1~deb10u1', { arch: 'all' }))).toBe(
      'pkg:deb/debian/foo@2.0~rc1-1~deb10u1?arch=all&distro=debian-10',
    );
  });

  it('names Ubuntu by its own namespace and version', () => {
    expect(packageUrl('dpkg', UBUNTU, pkg('libc6', '2.35-0ubuntu3.8'))).toBe(
      'pkg:deb/ubuntu/libc6@2.35-0ubuntu3.8?arch=amd64&distro=ubuntu-22.04',
    );
  });

  it('moves an rpm epoch to the epoch qualifier, with the qualifiers sorted', () => {
    expect(packageUrl('rpm', ALMA_9, pkg('openssl', '1:3.0.7-27.el9', { arch: 'x86_64' }))).toBe(
      'pkg:rpm/almalinux/openssl@3.0.7-27.el9?arch=x86_64&distro=almalinux-9&epoch=1',
    );
  });

  it('drops a zero rpm epoch and keeps the rpm name’s case', () => {
    expect(packageUrl('rpm', ALMA_9, pkg('GConf2', '0:3.2.6-22.el9', { arch: 'x86_64' }))).toBe(
      'pkg:rpm/almalinux/GConf2@3.2.6-22.el9?arch=x86_64&distro=almalinux-9',
    );
  });

  it('calls RHEL redhat, with the full VERSION_ID', () => {
    const rhel: OsIdentity = { id: 'rhel', versionId: '9.4', codename: null, prettyName: null };
    expect(packageUrl('rpm', rhel, pkg('bash', '5.1.8-9.el9', { arch: 'x86_64' }))).toBe(
      'pkg:rpm/redhat/bash@5.1.8-9.el9?arch=x86_64&distro=redhat-9.4',
    );
  });

  it('writes Alpine with the bare version as distro', () => {
    expect(packageUrl('apk', ALPINE, pkg('musl', '1.1.22-r3', { arch: 'x86_64' }))).toBe(
      'pkg:apk/alpine/musl@1.1.22-r3?arch=x86_64&distro=3.10',
    );
  });

  it('lower-cases deb and apk names', () => {
    expect(packageUrl('apk', ALPINE, pkg('Py3-Foo', '1-r0', { arch: null }))).toBe(
      'pkg:apk/alpine/py3-foo@1-r0?distro=3.10',
    );
  });

  it('leaves out what is not known: arch, namespace and distro', () => {
    expect(packageUrl('dpkg', null, pkg('bash', '5.0-4', { arch: null }))).toBe('pkg:deb/bash@5.0-4');
  });

  it('encodes separators in names and versions so the purl parses back', () => {
    expect(packageUrl('rpm', null, pkg('a@b', '1.0-1#x?y', { arch: null }))).toBe(
      'pkg:rpm/a%40b@1.0-1%23x%3Fy',
    );
  });
});

describe('findingPurls', () => {
  const inventory = {
    manager: 'dpkg' as const,
    packages: [
      pkg('libc6', '2.28-10', { arch: 'i386' }),
      pkg('libc6', '2.28-10', { arch: 'amd64' }),
      pkg('libc6', '2.27-1', { arch: 'amd64' }),
    ],
  };

  it('names every installed architecture of the package at that version, sorted', () => {
    expect(
      findingPurls(inventory, DEBIAN_10, {
        package: 'libc6',
        sourcePackage: 'glibc',
        installedVersion: '2.28-10',
      }),
    ).toEqual([
      'pkg:deb/debian/libc6@2.28-10?arch=amd64&distro=debian-10',
      'pkg:deb/debian/libc6@2.28-10?arch=i386&distro=debian-10',
    ]);
  });

  it('falls back to a purl without arch for a package the inventory lacks', () => {
    expect(
      findingPurls(inventory, DEBIAN_10, {
        package: 'zlib1g',
        sourcePackage: 'zlib',
        installedVersion: '1:1.2.11',
      }),
    ).toEqual(['pkg:deb/debian/zlib1g@1:1.2.11?distro=debian-10']);
  });
});
