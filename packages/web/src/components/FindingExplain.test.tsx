// @vitest-environment jsdom
/** A finding's advisory link: only http: and https: URLs from feeds become links. */
import type { Finding } from '@patchloop/contracts';
import { cleanup, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { FindingExplain } from './FindingExplain.js';

const finding = (url: string | null) =>
  ({
    id: 31,
    hostId: 7,
    hostname: 'web-1',
    package: 'libssl1.1',
    arch: 'amd64',
    sourcePackage: 'openssl',
    installedVersion: '1.1.1d-0+deb10u3',
    fixedVersion: '1.1.1n-0+deb10u6',
    status: 'fixable',
    advisory: {
      id: 'DSA-5343-1',
      aliases: [],
      source: 'debian-dsa',
      url,
      modified: null,
      classification: 'security',
    },
    release: 'buster',
    severity: 'high',
    cvss: null,
    kev: null,
    epss: null,
    explanation: 'older',
    firstSeen: '2030-01-01T00:00:00Z',
    resolvedAt: null,
    risk: { score: 61, priority: 'P2', factors: [], explanation: 'high severity' },
    sla: { dueAt: '2030-02-01T00:00:00Z', basis: 'priority', state: 'open' },
    exception: null,
  }) as unknown as Finding;

afterEach(cleanup);

describe('FindingExplain', () => {
  it('links an http(s) advisory URL', () => {
    render(<FindingExplain f={finding('https://security-tracker.debian.org/tracker/DSA-5343-1')} />);
    expect(screen.getByRole('link', { name: 'advisory' })).toHaveAttribute(
      'href',
      'https://security-tracker.debian.org/tracker/DSA-5343-1',
    );
  });

  it('does not link javascript:, data: or other schemes, in any case', () => {
    for (const url of [
      'javascript:alert(1)',
      ' JavaScript:alert(1)',
      'data:text/html,<script>1</script>',
      'ftp://x/y',
      'not a url',
    ]) {
      render(<FindingExplain f={finding(url)} />);
      expect([url, screen.queryByRole('link', { name: 'advisory' })]).toEqual([url, null]);
      cleanup();
    }
  });
});
