import { describe, expect, it } from 'vitest';
import { errorOf } from '@patchloop/test-support';
import { parseOsRelease } from './os-release.js';
import {
  OS_CODENAMES,
  osCodenameFor,
  osIdentityFromRelease,
  osVersionForCodename,
  parseOsSpec,
} from './os-spec.js';

const DEBIAN_CODENAMES = OS_CODENAMES.debian ?? {};
const UBUNTU_CODENAMES = OS_CODENAMES.ubuntu ?? {};

describe('codename tables', () => {
  it('hold Debian 7–14 and Ubuntu 14.04–26.04, LTS and interim', () => {
    expect(Object.keys(DEBIAN_CODENAMES)).toEqual(['7', '8', '9', '10', '11', '12', '13', '14']);
    expect(DEBIAN_CODENAMES['10']).toBe('buster');
    expect(DEBIAN_CODENAMES['12']).toBe('bookworm');
    expect(DEBIAN_CODENAMES['13']).toBe('trixie');
    const ubuntu = Object.keys(UBUNTU_CODENAMES);
    expect(ubuntu).toHaveLength(25);
    for (const v of ubuntu) expect(v).toMatch(/^\d{2}\.(04|10)$/);
    expect(UBUNTU_CODENAMES['18.04']).toBe('bionic');
    expect(UBUNTU_CODENAMES['22.04']).toBe('jammy');
    expect(UBUNTU_CODENAMES['23.10']).toBe('mantic');
    expect(UBUNTU_CODENAMES['24.04']).toBe('noble');
  });

  it('run alphabetically (Ubuntu: trusty to zesty, then again from artful), without duplicates', () => {
    const names = Object.values(UBUNTU_CODENAMES);
    for (const run of [names.slice(0, 7), names.slice(7)]) expect([...run].sort()).toEqual(run);
    expect(names[7]).toBe('artful');
    for (const t of [DEBIAN_CODENAMES, UBUNTU_CODENAMES]) {
      expect(new Set(Object.values(t)).size).toBe(Object.values(t).length);
    }
  });

  it('look up both ways, point releases included', () => {
    expect(osCodenameFor('debian', '12.5')).toBe('bookworm');
    expect(osCodenameFor('ubuntu', '22.04.3')).toBe('jammy');
    expect(osCodenameFor('ubuntu', '13.04')).toBeNull();
    expect(osCodenameFor('almalinux', '9')).toBeNull();
    expect(osVersionForCodename('debian', 'Buster')).toBe('10');
    expect(osVersionForCodename('ubuntu', 'focal')).toBe('20.04');
    expect(osVersionForCodename('rocky', 'blue onyx')).toBeNull();
  });
});

describe('parseOsSpec', () => {
  const good: [string, object][] = [
    ['debian:10', { id: 'debian', versionId: '10', codename: 'buster' }],
    ['debian:buster', { id: 'debian', versionId: '10', codename: 'buster' }],
    ['debian:12.5', { id: 'debian', versionId: '12', codename: 'bookworm' }],
    ['Debian:Bookworm', { id: 'debian', versionId: '12', codename: 'bookworm' }],
    ['ubuntu:22.04', { id: 'ubuntu', versionId: '22.04', codename: 'jammy' }],
    ['ubuntu:22.04.3', { id: 'ubuntu', versionId: '22.04', codename: 'jammy' }],
    ['ubuntu:noble', { id: 'ubuntu', versionId: '24.04', codename: 'noble' }],
    ['ubuntu:26.04', { id: 'ubuntu', versionId: '26.04', codename: 'resolute' }],
    ['ubuntu:26.10', { id: 'ubuntu', versionId: '26.10', codename: null }],
    ['almalinux:9', { id: 'almalinux', versionId: '9', codename: null }],
    ['rocky:9.4', { id: 'rocky', versionId: '9.4', codename: null }],
    ['alpine:3.11', { id: 'alpine', versionId: '3.11', codename: null }],
    [' amzn:2023 ', { id: 'amzn', versionId: '2023', codename: null }],
    ['opensuse-leap:15.5', { id: 'opensuse-leap', versionId: '15.5', codename: null }],
  ];
  for (const [spec, identity] of good) {
    it(`reads ${JSON.stringify(spec)}`, () => {
      expect(parseOsSpec(spec)).toEqual({ prettyName: null, ...identity });
    });
  }

  const bad: [string, RegExp][] = [
    ['debian', /expected id:version/],
    ['debian:', /expected id:version/],
    [':12', /expected id:version/],
    ['debian:12:1', /expected id:version/],
    ['debian 12', /expected id:version/],
    ['debian:sid', /unknown debian codename "sid"/],
    ['ubuntu:jammyy', /unknown ubuntu codename "jammyy" \(known: trusty, /],
    ['ubuntu:22', /a ubuntu version is year\.month such as 22\.04/],
    ['debian:v12', /unknown debian codename "v12"/],
    ['alpine:edge', /the version must start with a digit/],
  ];
  for (const [spec, message] of bad) {
    it(`rejects ${JSON.stringify(spec)} with PL_OS_SPEC_INVALID`, () => {
      const e = errorOf(() => parseOsSpec(spec));
      expect(e.code).toBe('PL_OS_SPEC_INVALID');
      expect(e.message).toMatch(/^invalid --os "/);
      expect(e.message).toMatch(message);
    });
  }
});

describe('osIdentityFromRelease', () => {
  it('takes id, version, codename and pretty name from os-release', () => {
    const rel = parseOsRelease(
      'PRETTY_NAME="Ubuntu 22.04.4 LTS"\nNAME="Ubuntu"\nVERSION_ID="22.04"\nVERSION_CODENAME=jammy\nID=ubuntu\nID_LIKE=debian\n',
    );
    expect(osIdentityFromRelease(rel)).toEqual({
      id: 'ubuntu',
      versionId: '22.04',
      codename: 'jammy',
      prettyName: 'Ubuntu 22.04.4 LTS',
    });
  });

  it('fills a missing codename (Debian 8) and a missing version (Debian testing) from the table', () => {
    const jessie = parseOsRelease('PRETTY_NAME="Debian GNU/Linux 8 (jessie)"\nID=debian\nVERSION_ID="8"\n');
    expect(osIdentityFromRelease(jessie)).toMatchObject({ versionId: '8', codename: 'jessie' });
    const testing = parseOsRelease(
      'PRETTY_NAME="Debian GNU/Linux trixie/sid"\nID=debian\nVERSION_CODENAME=trixie\n',
    );
    expect(osIdentityFromRelease(testing)).toMatchObject({ versionId: '13', codename: 'trixie' });
    const sid = parseOsRelease('PRETTY_NAME="Debian GNU/Linux sid"\nID=debian\nVERSION_CODENAME=sid\n');
    expect(osIdentityFromRelease(sid)).toMatchObject({ versionId: '', codename: 'sid' });
  });

  it('leaves the codename null where the distribution has none', () => {
    const alma = parseOsRelease(
      'NAME="AlmaLinux"\nVERSION_ID="9.4"\nID="almalinux"\nPRETTY_NAME="AlmaLinux 9.4"\n',
    );
    expect(osIdentityFromRelease(alma)).toEqual({
      id: 'almalinux',
      versionId: '9.4',
      codename: null,
      prettyName: 'AlmaLinux 9.4',
    });
  });
});
