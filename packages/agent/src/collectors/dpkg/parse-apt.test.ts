import { debian } from '@patchloop/core';
import { describe, expect, it } from 'vitest';
import { testdata } from '../testdata/fake-root.js';
import { parseAptSimulation } from './parse-apt.js';

describe('parseAptSimulation on apt-get -s output captured on Debian 12', () => {
  const text = testdata('dpkg', 'apt-get-s-dist-upgrade.debian12.txt');
  const { items, warnings } = parseAptSimulation(text);
  const byName = new Map(items.map((u) => [u.name, u]));

  it('reads one update per Inst line and nothing else', () => {
    const instLines = text.split('\n').filter((l) => l.startsWith('Inst ')).length;
    expect(instLines).toBeGreaterThan(100);
    expect(items).toHaveLength(instLines);
    expect(warnings).toEqual([]);
    for (const u of items) {
      expect(debian.validate(u.candidateVersion)).toBeNull();
      expect(u.installedVersion === null || debian.validate(u.installedVersion) === null).toBe(true);
    }
  });

  it('marks an update carried by the security archive as security, naming its pocket', () => {
    expect(byName.get('libgcrypt20')).toEqual({
      name: 'libgcrypt20',
      arch: 'amd64',
      installedVersion: '1.10.1-3',
      candidateVersion: '1.10.1-3+deb12u1',
      repository: 'oldstable-security',
      security: true,
      advisoryIds: [],
      classification: 'security',
    });
    expect(byName.get('openssl')).toMatchObject({ security: true, candidateVersion: '3.0.22-1~deb12u2' });
  });

  it('leaves point-release updates unclassified, with epochs and arch all kept', () => {
    expect(byName.get('bash')).toMatchObject({
      installedVersion: '5.2.15-2+b8',
      candidateVersion: '5.2.15-2+b13',
      repository: 'oldstable',
      security: false,
      classification: null,
    });
    expect(byName.get('libcap2')).toMatchObject({ candidateVersion: '1:2.66-4+deb12u3+b1', security: false });
    expect(byName.get('libpam-runtime')?.arch).toBe('all');
    const securityCount = text
      .split('\n')
      .filter((l) => l.startsWith('Inst ') && l.includes('-security')).length;
    expect(items.filter((u) => u.security)).toHaveLength(securityCount);
  });
});

describe('parseAptSimulation, other shapes', () => {
  it('reads new packages, multiarch names, Ubuntu pockets and origins with spaces', () => {
    const { items, warnings } = parseAptSimulation(
      [
        'Inst linux-image-6.1.0-50-amd64 (6.1.176-1 Debian-Security:12/oldstable-security [amd64])',
        'Inst libc6:i386 [2.35-0ubuntu3.5] (2.35-0ubuntu3.6 Ubuntu:22.04/jammy-updates, Ubuntu:22.04/jammy-security [i386])',
        'Inst docker-ce [5:24.0.7-1~debian.12~bookworm] (5:25.0.0-1~debian.12~bookworm Docker CE:/bookworm [amd64])',
        'Conf docker-ce (5:25.0.0-1~debian.12~bookworm Docker CE:/bookworm [amd64])',
      ].join('\n'),
    );
    expect(warnings).toEqual([]);
    expect(items.map((u) => [u.name, u.arch, u.installedVersion, u.repository, u.security])).toEqual([
      ['linux-image-6.1.0-50-amd64', 'amd64', null, 'oldstable-security', true],
      ['libc6', 'i386', '2.35-0ubuntu3.5', 'jammy-security', true],
      ['docker-ce', 'amd64', '5:24.0.7-1~debian.12~bookworm', 'bookworm', false],
    ]);
  });

  it('turns a malformed Inst line into a warning and keeps the rest', () => {
    const { items, warnings } = parseAptSimulation(
      ['Inst broken-line-without-parens', 'Inst bash [1] (2 Debian:12/stable [amd64])', 'Inst [x] (y'].join(
        '\n',
      ),
    );
    expect(items.map((u) => u.name)).toEqual(['bash']);
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toMatch(/line 1/);
  });
});
