// @vitest-environment jsdom
/**
 * A policy's simulation in the console against a fake API: the totals per
 * action over every governed host, one page of hosts at a time, every page
 * asked at the instant of the first answer.
 */
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it } from 'vitest';
import { fakeApi, openConsole, reply, type Call } from '../test-support/fake-api.js';
import { session } from '../test-support/fixtures.js';

const AT = '2030-01-04T10:00:00.000Z';
const HOSTS = Array.from({ length: 150 }, (_, i) => ({
  hostId: i + 1,
  hostname: `web-${String(i + 1).padStart(3, '0')}`,
  ring: 'all',
  action: i < 100 ? 'deploy' : 'nothing',
  updates:
    i < 100
      ? [{ package: 'openssl', sourcePackage: 'openssl', toVersion: '3.0.9', advisories: ['DSA-1'] }]
      : [],
  held: [],
}));

let calls: Call[] = [];
const pages = () => within(screen.getByRole('navigation', { name: 'Pages' })).getByRole('status');

function answer({ route, url }: Call): Response | undefined {
  if (route === 'GET /api/v1/session') return reply(200, session({ username: 'root', role: 'admin' }));
  if (route === 'GET /api/v1/policies/linux')
    return reply(200, {
      name: 'linux',
      version: 1,
      document: { name: 'linux' },
      source: 'name: linux\n',
      updatedBy: 'user:root',
      updatedAt: '2030-01-01T00:00:00Z',
    });
  if (route === 'GET /api/v1/policies/linux/simulate') {
    const offset = Number(url.searchParams.get('offset'));
    const limit = Number(url.searchParams.get('limit'));
    return reply(200, {
      policy: 'linux',
      at: url.searchParams.get('at') ?? AT,
      window: { open: true, start: null, end: null, next: null },
      total: HOSTS.length,
      totals: { deploy: 100, 'wait-window': 0, 'wait-ring': 0, nothing: 50, 'not-deployable': 0 },
      hosts: HOSTS.slice(offset, offset + limit),
      lost: [],
    });
  }
  return undefined;
}

beforeEach(() => {
  calls = fakeApi(answer);
});

describe('policy simulation in the console', () => {
  it(
    'shows the totals per action and pages the hosts at the first answer’s instant',
    { timeout: 30_000 },
    async () => {
      openConsole('/policies/linux');
      await userEvent.click(await screen.findByRole('button', { name: 'Simulate' }, { timeout: 15_000 }));
      expect(await screen.findByText('150 hosts: 100 deploys now, 50 nothing to do')).toBeInTheDocument();
      expect(screen.getByText('web-001')).toBeInTheDocument();
      expect(screen.queryByText('web-101')).toBeNull();
      expect(pages()).toHaveTextContent('1–100 of 150');
      const first = calls.find((c) => c.route === 'GET /api/v1/policies/linux/simulate')!;
      expect([first.url.searchParams.get('offset'), first.url.searchParams.get('limit')]).toEqual([
        '0',
        '100',
      ]);
      await userEvent.click(screen.getByRole('button', { name: 'Next' }));
      expect(await screen.findByText('web-101')).toBeInTheDocument();
      const next = calls.filter((c) => c.route === 'GET /api/v1/policies/linux/simulate').at(-1)!;
      expect([next.url.searchParams.get('offset'), next.url.searchParams.get('at')]).toEqual(['100', AT]);
      await waitFor(() => expect(pages()).toHaveTextContent('101–150 of 150'));
    },
  );
});
