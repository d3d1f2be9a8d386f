import { describe, expect, it } from 'vitest';
import { formatSimulation } from './policy.js';

describe('formatSimulation', () => {
  it('names a host that cannot run a deployment and why, with what it would need', () => {
    const text = formatSimulation({
      policy: 'fleet',
      at: '2030-03-01T08:00:00.000Z',
      window: { open: true, start: null, end: null, next: null },
      hosts: [
        {
          hostId: 1,
          hostname: 'import-web',
          ring: 'all',
          action: 'not-deployable',
          notDeployable: 'imported from an inventory file: no agent runs on it to install updates',
          updates: [
            { package: 'openssl', sourcePackage: 'openssl', toVersion: '1.1.1n-0+deb10u3', advisories: [] },
          ],
          held: [],
        },
        { hostId: 2, hostname: 'web-a', ring: 'all', action: 'nothing', updates: [], held: [] },
      ],
      lost: [],
    });
    expect(text).toContain(
      'import-web  all  not-deployable\n  not deployable: imported from an inventory file: no agent runs on it to install updates\n  updates (1), needed but never deployed here:\n    openssl → 1.1.1n-0+deb10u3',
    );
    expect(text).toContain('web-a       all  nothing');
  });

  it('tells hosts sharing a hostname apart by their id', () => {
    const host = (hostId: number) =>
      ({ hostId, hostname: 'localhost', ring: 'all', action: 'nothing', updates: [], held: [] }) as const;
    const text = formatSimulation({
      policy: 'fleet',
      at: '2030-03-01T08:00:00.000Z',
      window: { open: true, start: null, end: null, next: null },
      hosts: [host(3), host(4)],
      lost: [],
    });
    expect(text).toContain('localhost (host 3)  all  nothing');
    expect(text).toContain('localhost (host 4)  all  nothing');
  });
});
