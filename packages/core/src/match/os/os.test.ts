import { describe, expect, it } from 'vitest';
import type { InstalledPackage, OsIdentity } from '../../inventory/model.js';
import { familyFor } from './list.js';

const os = (id: string, versionId: string, codename: string | null = null): OsIdentity => ({
  id,
  versionId,
  codename,
  prettyName: null,
});
const rpmPkg = (name: string, version: string, vendor: string | null): InstalledPackage => ({
  name,
  version,
  arch: 'x86_64',
  sourceName: name,
  sourceVersion: version,
  vendor,
});

describe('OS families', () => {
  it('map hosts to advisory ecosystems and the releases feeds spell', () => {
    expect(familyFor(os('debian', '10'))?.targets(os('debian', '10'))).toEqual([
      { ecosystem: 'Debian', releases: ['buster', '10'] },
    ]);
    expect(familyFor(os('debian', '', 'trixie'))?.targets(os('debian', '', 'trixie'))).toEqual([
      { ecosystem: 'Debian', releases: ['trixie', '13'] },
    ]);
    expect(familyFor(os('ubuntu', '22.04'))?.targets(os('ubuntu', '22.04'))).toEqual([
      { ecosystem: 'Ubuntu', releases: ['22.04', 'jammy'] },
    ]);
    expect(familyFor(os('alpine', '3.10.2'))?.targets(os('alpine', '3.10.2'))).toEqual([
      { ecosystem: 'Alpine', releases: ['v3.10'] },
    ]);
    expect(familyFor(os('almalinux', '9.4'))?.targets(os('almalinux', '9.4'))).toEqual([
      { ecosystem: 'AlmaLinux', releases: ['9'] },
    ]);
    expect(
      familyFor(os('rhel', '9.5'))
        ?.targets(os('rhel', '9.5'))
        .map((t) => t.ecosystem),
    ).toEqual(['AlmaLinux', 'Rocky Linux']);
    expect(familyFor(os('gentoo', '2.14'))).toBeNull();
  });

  it('name the endoflife.date product and cycle', () => {
    expect(familyFor(os('alpine', '3.10.2'))?.eolCycle(os('alpine', '3.10.2'))).toEqual({
      product: 'alpine-linux',
      cycle: '3.10',
    });
    expect(familyFor(os('rocky', '9.4'))?.eolCycle(os('rocky', '9.4'))).toEqual({
      product: 'rocky-linux',
      cycle: '9',
    });
  });

  it('tell RPM third-party packages from the distribution’s', () => {
    const rhel = familyFor(os('rhel', '9'))!;
    const host = os('rhel', '9');
    expect(rhel.thirdParty(rpmPkg('openssl', '1:3.0.7-27.el9', 'Red Hat, Inc.'), host)).toBeNull();
    expect(
      rhel.thirdParty(rpmPkg('nodejs', '1:20.11.1-1.module+el9.4.0+21130+0e1d3d52', null), host),
    ).toBeNull();
    expect(rhel.thirdParty(rpmPkg('google-chrome-stable', '120.0-1', 'Google Inc.'), host)).toBe(
      'vendor "Google Inc."',
    );
    expect(rhel.thirdParty(rpmPkg('mytool', '1.0-1', null), host)).toBe(
      'release "1" has no distribution tag',
    );
    expect(rhel.thirdParty(rpmPkg('gpg-pubkey', 'fd431d51-4ae0493b', null), host)).not.toBeNull();
    // A signing key id (from an image manifest) is not a vendor name.
    expect(rhel.thirdParty(rpmPkg('openssl', '1:3.0.7-27.el9', '199e2f91fd431d51'), host)).toBeNull();
  });

  it('read an AlmaLinux rebuild suffix as the RHEL fix on other hosts', () => {
    const rhel = familyFor(os('rhel', '9'))!;
    const alma = { ecosystem: 'AlmaLinux', releases: ['9'] };
    expect(rhel.fixedVersionFor('2.9.13-6.el9_5.alma.1', alma, os('rhel', '9'))).toBe('2.9.13-6.el9_5');
    expect(rhel.fixedVersionFor('2.9.13-6.el9_5.alma.1', alma, os('almalinux', '9'))).toBe(
      '2.9.13-6.el9_5.alma.1',
    );
  });
});
