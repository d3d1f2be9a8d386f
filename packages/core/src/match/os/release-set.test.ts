import { describe, expect, it } from 'vitest';
import type { Advisory, AffectedPackage } from '../../advisory/model.js';
import { keepReleases, parseFeedReleases, releaseTargets } from './release-set.js';

const os = (id: string, versionId: string, codename: string | null = null) => ({
  id,
  versionId,
  codename,
  prettyName: null,
});

const entry = (ecosystem: string, release: string | null): AffectedPackage => ({
  ecosystem,
  release,
  package: 'openssl',
  packageKind: 'source',
  status: 'fixed',
  ranges: [],
  versions: [],
  fixedVersion: '1',
  severity: null,
});

describe('kept feed releases', () => {
  it('parses the setting: all, fleet and <os>:<version>', () => {
    expect(parseFeedReleases(undefined)).toEqual({ value: null });
    expect(parseFeedReleases(' all ')).toEqual({ value: null });
    expect(parseFeedReleases('fleet,debian:13, ubuntu:24.04')).toEqual({
      value: { fleet: true, extra: [os('debian', '13'), os('ubuntu', '24.04')] },
    });
    expect(parseFeedReleases('debian:13')).toEqual({ value: { fleet: false, extra: [os('debian', '13')] } });
    expect(parseFeedReleases('fleet,gentoo:2')).toMatchObject({
      problem: expect.stringContaining('gentoo:2'),
    });
    expect(parseFeedReleases('Debian:12:LTS')).toMatchObject({ problem: expect.any(String) });
  });

  it('maps hosts to advisory releases the way matching does, merged per ecosystem', () => {
    expect(
      releaseTargets([
        os('debian', '12', 'bookworm'),
        os('debian', '11'),
        os('ubuntu', '22.04', 'jammy'),
        os('rhel', '9.4'),
        os('alpine', '3.20.1'),
        os('gentoo', '2.14'),
      ]),
    ).toEqual([
      { ecosystem: 'AlmaLinux', releases: ['9'] },
      { ecosystem: 'Alpine', releases: ['v3.20'] },
      { ecosystem: 'Debian', releases: ['11', '12', 'bookworm', 'bullseye'] },
      { ecosystem: 'Rocky Linux', releases: ['9'] },
      { ecosystem: 'Ubuntu', releases: ['22.04', 'jammy'] },
    ]);
  });

  it('keeps the affected entries of kept releases (Pro channels follow their version), or nothing', () => {
    const targets = releaseTargets([os('debian', '12'), os('ubuntu', '22.04')]);
    const a = {
      id: 'X-1',
      affected: [
        entry('Debian', '12'),
        entry('Debian', '11'),
        entry('Ubuntu', '22.04:pro'),
        entry('Ubuntu', '20.04'),
        entry('Debian', null),
        entry('npm', null),
      ],
    } as unknown as Advisory;
    expect(keepReleases(a, targets)?.affected).toEqual([entry('Debian', '12'), entry('Ubuntu', '22.04:pro')]);
    const all = { id: 'X-2', affected: [entry('Debian', 'bookworm')] } as unknown as Advisory;
    expect(keepReleases(all, targets)).toBe(all);
    expect(keepReleases({ ...a, affected: [entry('Debian', '11')] }, targets)).toBeNull();
  });
});
