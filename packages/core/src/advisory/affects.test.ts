import { describe, expect, it } from 'vitest';
import { debian } from '../version/debian.js';
import type { VersionScheme } from '../version/scheme.js';
import { affects } from './affects.js';
import type { AffectedPackage, RangeEvent } from './model.js';

const d = debian as VersionScheme<unknown>;
const entry = (events: RangeEvent[], extra: Partial<AffectedPackage> = {}): AffectedPackage => ({
  ecosystem: 'Debian',
  release: 'buster',
  package: 'openssl',
  packageKind: 'source',
  status: 'fixed',
  ranges: [{ type: 'ECOSYSTEM', events }],
  versions: [],
  fixedVersion: null,
  severity: null,
  ...extra,
});

describe('affects (OSV range evaluation)', () => {
  const fixedRange = entry([{ introduced: '0' }, { fixed: '1.1.1d-0+deb10u3' }]);

  it('is affected below the fix and not at or above it', () => {
    expect(affects(fixedRange, '1.1.1d-0+deb10u2', d)).toEqual({
      affected: true,
      fixedVersion: '1.1.1d-0+deb10u3',
      range: 'introduced 0, fixed 1.1.1d-0+deb10u3',
    });
    expect(affects(fixedRange, '1.1.1d-0+deb10u3', d).affected).toBe(false);
    expect(affects(fixedRange, '1.1.1n-0+deb10u1', d).affected).toBe(false);
  });

  it('orders backports and epochs the Debian way', () => {
    const r = entry([{ introduced: '0' }, { fixed: '1:2.0-1~deb10u1' }]);
    expect(affects(r, '2.0-1', d).affected).toBe(true); // no epoch: older than any epoch 1
    expect(affects(r, '1:2.0-1~deb10u1', d).affected).toBe(false);
    expect(affects(r, '1:2.0-1~bpo10+1', d).affected).toBe(true); // ~bpo < ~deb
  });

  it('handles introduced after 0, last_affected, several intervals and event order', () => {
    const r = entry([
      { fixed: '3.0' },
      { introduced: '2.0' },
      { introduced: '4.0' },
      { last_affected: '4.5' },
    ]);
    expect(affects(r, '1.9', d).affected).toBe(false);
    expect(affects(r, '2.5', d)).toMatchObject({ affected: true, fixedVersion: '3.0' });
    expect(affects(r, '3.5', d).affected).toBe(false);
    expect(affects(r, '4.5', d)).toMatchObject({ affected: true, fixedVersion: null });
    expect(affects(r, '4.6', d).affected).toBe(false);
  });

  it('treats unfixed and end-of-life as affected and not-affected as never', () => {
    expect(affects(entry([{ introduced: '0' }], { status: 'unfixed' }), '1.0', d)).toMatchObject({
      affected: true,
      fixedVersion: null,
    });
    expect(affects(entry([], { status: 'not-affected' }), '1.0', d).affected).toBe(false);
  });

  it('matches an explicitly listed version', () => {
    expect(affects(entry([], { versions: ['1.0-1'] }), '1.0-1', d)).toMatchObject({ affected: true });
    expect(affects(entry([], { versions: ['1.0-1'] }), '1.0-2', d).affected).toBe(false);
  });

  it('caps a range at its limit, and "*" is no limit', () => {
    const r = entry([{ introduced: '0' }, { limit: '2.0' }]);
    expect(affects(r, '1.5', d).affected).toBe(true);
    expect(affects(r, '3.0', d).affected).toBe(false);
    expect(affects(entry([{ introduced: '0' }, { limit: '*' }]), '9.9', d).affected).toBe(true);
  });

  it('reads introduced and fixed at the same version as not affected, whatever their order', () => {
    expect(affects(entry([{ fixed: '1.0' }, { introduced: '1.0' }]), '1.0', d).affected).toBe(false);
    expect(affects(entry([{ introduced: '1.0' }, { fixed: '1.0' }]), '1.0', d).affected).toBe(false);
  });

  it('skips only a range whose versions the scheme rejects', () => {
    const e = entry([]);
    const bad = {
      ...e,
      ranges: [
        { type: 'ECOSYSTEM' as const, events: [{ introduced: '0' }, { fixed: 'not a version' }] },
        ...entry([{ introduced: '0' }, { fixed: '2.0' }]).ranges,
      ],
    };
    expect(affects(bad, '1.0', d)).toMatchObject({ affected: true, fixedVersion: '2.0' });
  });
});
