import { PatchloopError } from '@patchloop/core';
import { describe, expect, it } from 'vitest';
import { testdata } from '../testdata/fake-root.js';
import { kernelArch, osFromReleaseText, parseArchFile, parseHostname, parseMachineId } from './parse.js';

describe('os facts', () => {
  it('reads the os-release captured on Debian 12 and the Alpine one', () => {
    expect(osFromReleaseText(testdata('os', 'os-release.debian12'))).toEqual({
      id: 'debian',
      versionId: '12',
      codename: 'bookworm',
      prettyName: 'Debian GNU/Linux 12 (bookworm)',
    });
    expect(osFromReleaseText(testdata('os', 'os-release.alpine318'))).toEqual({
      id: 'alpine',
      versionId: '3.18.4',
      codename: null,
      prettyName: 'Alpine Linux v3.18',
    });
  });

  it('rejects an os-release that is not KEY=value lines', () => {
    expect(() => osFromReleaseText('this is not os-release\n')).toThrow(PatchloopError);
  });

  it('reads hostnames and refuses junk', () => {
    expect(parseHostname('# comment\n\nweb-01.example.org\n')).toBe('web-01.example.org');
    expect(parseHostname('')).toBeNull();
    expect(parseHostname('two words\n')).toBeNull();
    expect(parseHostname(`${'a'.repeat(254)}\n`)).toBeNull();
  });

  it('reads machine ids', () => {
    expect(parseMachineId('0123456789ABCDEF0123456789abcdef\n')).toBe('0123456789abcdef0123456789abcdef');
    expect(parseMachineId('uninitialized\n')).toBeNull();
    expect(parseMachineId('')).toBeNull();
  });

  it('spells architectures as uname -m does', () => {
    expect(kernelArch(testdata('os', 'uname-m.txt'))).toBe(testdata('os', 'uname-m.txt').trim());
    expect(kernelArch('amd64')).toBe('x86_64');
    expect(kernelArch('arm64')).toBe('aarch64');
    expect(kernelArch('ppc64el')).toBe('ppc64le');
    expect(kernelArch('armhf')).toBe('armhf');
    expect(kernelArch('all')).toBeNull();
    expect(kernelArch(null)).toBeNull();
    expect(parseArchFile('amd64\ni386\n')).toBe('x86_64');
    expect(parseArchFile('')).toBeNull();
  });
});
