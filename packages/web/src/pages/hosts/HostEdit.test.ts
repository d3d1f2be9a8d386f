import type { Host } from '../../api/types.js';
import { describe, expect, it } from 'vitest';
import { hostChanges, type HostForm } from './HostEdit.js';

const host = {
  criticality: 'tier2',
  environment: null,
  internetFacing: false,
  owner: null,
  userRisk: 'standard',
  tags: ['linux', 'web'],
  groups: [],
} as unknown as Host;
const unchanged: HostForm = {
  criticality: 'tier2',
  environment: '',
  internetFacing: false,
  owner: ' ',
  userRisk: 'standard',
  tags: 'linux, web',
  groups: '',
};

describe('hostChanges', () => {
  it('sends nothing when nothing changed (blank is "not set", tag lists compared as lists)', () => {
    expect(hostChanges(host, unchanged)).toEqual({});
    expect(hostChanges(host, { ...unchanged, tags: 'linux,web' })).toEqual({});
  });

  it('sends only the fields that changed, with null for cleared ones', () => {
    expect(
      hostChanges(host, {
        ...unchanged,
        criticality: 'tier0',
        environment: 'production',
        internetFacing: true,
        tags: 'linux web pci',
      }),
    ).toEqual({
      criticality: 'tier0',
      environment: 'production',
      internetFacing: true,
      tags: ['linux', 'web', 'pci'],
    });
    const owned = { ...host, owner: 'team-a', environment: 'staging' } as Host;
    expect(hostChanges(owned, { ...unchanged, owner: '', environment: '' })).toEqual({
      owner: null,
      environment: null,
    });
  });
});
