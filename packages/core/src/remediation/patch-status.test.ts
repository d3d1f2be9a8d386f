import { describe, expect, it } from 'vitest';
import { classifyUpdates, type OfferedUpdate } from './catalogue.js';
import { countPendingUpdates, PATCH_STATUSES, patchStatus } from './patch-status.js';

const update = (name: string, over: Partial<OfferedUpdate> = {}): OfferedUpdate => ({
  package: name,
  arch: 'amd64',
  installedVersion: '1.0-1',
  candidateVersion: '1.0-2',
  repository: 'bookworm',
  security: false,
  classification: null,
  advisoryIds: [],
  ...over,
});

describe('patchStatus', () => {
  it('follows the documented precedence', () => {
    expect(patchStatus({ security: 1, other: 5 }, true)).toBe('security-updates-pending');
    expect(patchStatus({ security: 0, other: 5 }, true)).toBe('reboot-pending');
    expect(patchStatus(null, true)).toBe('reboot-pending');
    expect(patchStatus({ security: 0, other: 5 }, false)).toBe('updates-pending');
    expect(patchStatus(null, false)).toBe('not-assessed');
    expect(patchStatus({ security: 0, other: 0 }, false)).toBe('up-to-date');
    expect(PATCH_STATUSES[0]).toBe('security-updates-pending');
    expect(PATCH_STATUSES.at(-1)).toBe('up-to-date');
  });

  it('counts a security-pocket update as security with no advisory naming it', () => {
    const items = classifyUpdates(
      'debian',
      [
        update('libgcrypt20', { repository: 'oldstable-security', security: true }),
        update('bash'),
        // No security flag, but it closes an open finding.
        update('zlib1g', { candidateVersion: '1:1.2.13.dfsg-1' }),
      ],
      [
        {
          package: 'zlib1g',
          advisoryId: 'DSA-1',
          fixedVersion: '1:1.2.13.dfsg-1',
          severity: 'high',
          kev: false,
        },
      ],
    );
    const pending = countPendingUpdates(items);
    expect(pending).toEqual({ security: 2, other: 1 });
    expect(patchStatus(pending, false)).toBe('security-updates-pending');
    expect(countPendingUpdates([])).toEqual({ security: 0, other: 0 });
  });
});
