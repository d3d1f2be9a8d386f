import { describe, expect, it } from 'vitest';
import { notDeployableReason } from './deployable.js';

describe('notDeployableReason', () => {
  it('lets an agent with a working package manager deploy', () => {
    expect(
      notDeployableReason({ transport: 'agent', packageManager: 'dpkg', updatesKnown: true }),
    ).toBeNull();
    expect(notDeployableReason({ transport: 'ssh', packageManager: 'rpm', updatesKnown: true })).toBeNull();
  });

  it('says why an imported host, a root without a package database or without its tool cannot', () => {
    expect(notDeployableReason({ transport: 'import', packageManager: 'dpkg', updatesKnown: false })).toMatch(
      /^imported from an inventory file/,
    );
    expect(notDeployableReason({ transport: 'agent', packageManager: null, updatesKnown: false })).toMatch(
      /^no package database/,
    );
    expect(notDeployableReason({ transport: 'agent', packageManager: 'dpkg', updatesKnown: false })).toMatch(
      /package manager \(dpkg\) could not be run/,
    );
  });
});
