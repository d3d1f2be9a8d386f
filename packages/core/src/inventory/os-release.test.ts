import { describe, expect, it } from 'vitest';
import { PatchloopError } from '../error/codes.js';
import { parseOsRelease } from './os-release.js';

describe('parseOsRelease', () => {
  it('reads a Debian 12 os-release', () => {
    const os = parseOsRelease(
      'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nNAME="Debian GNU/Linux"\nVERSION_ID="12"\n' +
        'VERSION="12 (bookworm)"\nVERSION_CODENAME=bookworm\nID=debian\nHOME_URL="https://www.debian.org/"\n',
    );
    expect(os).toMatchObject({
      id: 'debian',
      versionId: '12',
      versionCodename: 'bookworm',
      prettyName: 'Debian GNU/Linux 12 (bookworm)',
      idLike: [],
    });
  });

  it('reads ID_LIKE, comments, single quotes and escapes', () => {
    const os = parseOsRelease(
      '# c\nID=\'almalinux\'\nID_LIKE="rhel centos fedora"\nNAME="A \\"quoted\\" name"\n',
    );
    expect(os.id).toBe('almalinux');
    expect(os.idLike).toEqual(['rhel', 'centos', 'fedora']);
    expect(os.prettyName).toBe('A "quoted" name');
    expect(os.versionId).toBe('');
  });

  it('rejects a malformed line with a stable code and its line number', () => {
    expect(() => parseOsRelease('ID=debian\nthis is not a field\n')).toThrowError(PatchloopError);
    expect(() => parseOsRelease('ID="debian\n')).toThrowError(/line 1: unterminated quote/);
  });
});
