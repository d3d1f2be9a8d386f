import { describe, expect, it } from 'vitest';
import { packageKindFor, splitOsvEcosystem } from './ecosystem.js';

describe('splitOsvEcosystem', () => {
  it.each([
    ['Debian:12', 'Debian', '12'],
    ['Debian:13', 'Debian', '13'],
    ['AlmaLinux:9', 'AlmaLinux', '9'],
    ['Rocky Linux:9', 'Rocky Linux', '9'],
    ['Alpine:v3.18', 'Alpine', 'v3.18'],
    ['openSUSE:Leap 15.5', 'openSUSE', 'Leap 15.5'],
    ['npm', 'npm', null],
    ['Debian:', 'Debian', null],
    ['Ubuntu:22.04:LTS', 'Ubuntu', '22.04'],
    ['Ubuntu:24.10', 'Ubuntu', '24.10'],
    ['Ubuntu:26.04', 'Ubuntu', '26.04'],
    ['Ubuntu:Pro:18.04:LTS', 'Ubuntu', '18.04:pro'],
    ['Ubuntu:Pro:FIPS:16.04:LTS', 'Ubuntu', '16.04:pro:fips'],
    ['Ubuntu:Pro:FIPS-updates:22.04:LTS', 'Ubuntu', '22.04:pro:fips-updates'],
    ['Ubuntu:Pro:FIPS-preview:22.04:LTS', 'Ubuntu', '22.04:pro:fips-preview'],
    ['Ubuntu', 'Ubuntu', null],
    ['Ubuntu:Pro', 'Ubuntu', 'Pro'],
  ])('%s → %s / %s', (value, ecosystem, release) => {
    expect(splitOsvEcosystem(value)).toEqual({ ecosystem, release });
  });

  it('names source packages for Debian, Ubuntu and Alpine (origin) only', () => {
    expect(['Debian', 'Ubuntu', 'AlmaLinux', 'Rocky Linux', 'Alpine', 'npm'].map(packageKindFor)).toEqual([
      'source',
      'source',
      'binary',
      'binary',
      'source',
      'binary',
    ]);
  });
});
