import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { CheckinRequest, EnrollRequest, HostPatch } from './index.js';

const ajv = new Ajv({ strict: false });
const checkin = ajv.compile(CheckinRequest);
const facts = {
  hostname: 'web-1',
  os: { id: 'debian', versionId: '12', codename: 'bookworm', prettyName: null },
  arch: 'x86_64',
  kernel: { running: null, newestInstalled: null },
  reboot: { required: false, reasons: [], packages: [] },
};
const pkg = {
  name: 'bash',
  version: '5.2.15-2+b2',
  arch: 'amd64',
  sourceName: 'bash',
  sourceVersion: '5.2.15-2',
};

describe('agent protocol schemas', () => {
  it('accept each inventory kind', () => {
    const base = { agentVersion: '0.1.0', machineId: 'a'.repeat(32), facts };
    const h = 'f'.repeat(64);
    expect(checkin({ ...base, inventory: { kind: 'same', hash: h } })).toBe(true);
    expect(
      checkin({
        ...base,
        inventory: { kind: 'full', hash: h, manager: 'dpkg', packages: [pkg], updates: null },
      }),
    ).toBe(true);
    expect(
      checkin({
        ...base,
        inventory: {
          kind: 'diff',
          base: h,
          hash: h,
          manager: 'apk',
          added: [pkg],
          removed: [{ name: 'x', arch: '' }],
          updates: [],
        },
      }),
    ).toBe(true);
  });

  it('reject what an agent must not send', () => {
    const base = { agentVersion: '0.1.0', machineId: 'a'.repeat(32), facts };
    const full = { kind: 'full', hash: 'f'.repeat(64), manager: 'dpkg', packages: [pkg], updates: null };
    expect(checkin({ ...base, inventory: { ...full, manager: 'pacman' } })).toBe(false);
    expect(checkin({ ...base, inventory: { ...full, hash: 'not-a-hash' } })).toBe(false);
    expect(checkin({ ...base, inventory: { ...full, packages: [{ ...pkg, extra: 1 }] } })).toBe(false);
    expect(checkin({ ...base, machineId: '../../etc' })).toBe(false);
    expect(checkin({ ...base, inventory: { ...full }, hostId: 3 })).toBe(false);
  });

  it('constrain enrollment tags and host edits', () => {
    const enroll = ajv.compile(EnrollRequest);
    const ok = { secret: 's', machineId: 'm'.repeat(16), hostname: 'h', tags: ['linux', 'site:ber'] };
    expect(enroll(ok)).toBe(true);
    expect(enroll({ ...ok, tags: ['has space'] })).toBe(false);
    const patch = ajv.compile(HostPatch);
    expect(patch({ criticality: 'tier0' })).toBe(true);
    expect(patch({ criticality: 'tier9' })).toBe(false);
    expect(patch({})).toBe(false);
  });
});
