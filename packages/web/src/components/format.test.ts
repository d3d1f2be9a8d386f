import { describe, expect, it } from 'vitest';
import {
  formatPendingUpdates,
  osName,
  formatDate,
  formatDateTime,
  formatPercent,
  formatRelative,
  plural,
} from './format.js';

describe('format', () => {
  it('formats dates in UTC and says so', () => {
    expect(formatDateTime('2030-03-05T14:07:00Z')).toBe('05 Mar 2030, 14:07 UTC');
    expect(formatDate('2030-03-05T23:59:00Z')).toBe('05 Mar 2030');
    expect(formatDateTime(null)).toBe('—');
  });

  it('says how long ago or how soon', () => {
    const now = new Date('2030-03-05T12:00:00Z');
    expect(formatRelative('2030-03-05T11:57:00Z', now)).toBe('3 minutes ago');
    expect(formatRelative('2030-03-07T12:00:00Z', now)).toBe('in 2 days');
    expect(formatRelative('2030-03-05T11:59:30Z', now)).toBe('just now');
    expect(formatRelative(null, now)).toBe('never');
  });

  it('counts and percentages', () => {
    expect(plural(1, 'host')).toBe('1 host');
    expect(plural(12345, 'host')).toBe('12,345 hosts');
    expect(plural(2, 'advisory', 'advisories')).toBe('2 advisories');
    expect(formatPercent(0.9567)).toBe('95.7 %');
  });
});

describe('osName', () => {
  it('names every OS one way, from its id and version', () => {
    expect(osName({ id: 'debian', versionId: '12' })).toBe('Debian 12');
    expect(osName({ id: 'ubuntu', versionId: '22.04' })).toBe('Ubuntu 22.04');
    expect(osName({ id: 'almalinux', versionId: '9.4' })).toBe('AlmaLinux 9.4');
    expect(osName({ id: 'alpine', versionId: '3.21.2' })).toBe('Alpine 3.21');
    expect(osName({ id: 'centos', versionId: '6' })).toBe('CentOS 6');
    expect(osName({ id: 'nixos', versionId: null })).toBe('Nixos');
    expect(osName({ id: 'unknown', versionId: null })).toBe('unknown OS');
  });

  it('writes pending updates, and unknown when they were not collected', () => {
    expect(formatPendingUpdates({ security: 3, other: 1200 })).toBe('3 security · 1,200 other');
    expect(formatPendingUpdates({ security: 0, other: 0 })).toBe('none');
    expect(formatPendingUpdates(null)).toBe('unknown');
  });
});
