// @vitest-environment jsdom
/**
 * Host identity in the console against a fake API: two hosts of one name are
 * each marked as a duplicate name, told apart by machine id for admins and
 * operators and by host id for auditors (who never see machine ids); an admin
 * issues a one-time enrollment token for a host, which auditors cannot.
 */
import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { fakeApi, openConsole, reply, type Call } from '../test-support/fake-api.js';
import { hostDetail, hostSummary, session } from '../test-support/fixtures.js';

let role: 'admin' | 'operator' | 'auditor' = 'admin';
const host = (id: number, hostname: string, machineId: string, duplicateName: boolean) =>
  hostSummary({
    id,
    hostname,
    duplicateName,
    machineId: role === 'auditor' ? null : machineId,
    retired: null,
    os: { id: 'debian', versionId: '12', codename: 'bookworm', prettyName: null },
  });
const hosts = () => [
  host(7, 'localhost', 'aaaa1111bbbb2222cccc3333dddd4444', true),
  host(8, 'localhost', 'eeee5555ffff6666aaaa7777bbbb8888', true),
  host(9, 'db-1', '0123456789abcdef0123456789abcdef', false),
];
const detail = () => hostDetail(hosts()[0]);
let posted: string[] = [];

function answer({ route, url }: Call): Response | undefined {
  if (route === 'GET /api/v1/session')
    return reply(200, session({ username: 'pat', role, csrfToken: 'csrf-1' }));
  if (route === 'GET /api/v1/hosts') return reply(200, { items: hosts(), total: 3 });
  if (route === 'GET /api/v1/hosts/7') return reply(200, detail());
  if (route === 'POST /api/v1/hosts/7/enroll-token') {
    posted.push(route);
    return reply(201, { hostId: 7, token: 'plh_one-time-token', expiresAt: '2030-01-02T00:00:00Z' });
  }
  if (url.pathname.startsWith('/api/v1/')) return reply(200, { items: [], total: 0 });
  return undefined;
}

beforeEach(() => {
  posted = [];
  fakeApi(answer);
});
afterEach(() => vi.unstubAllGlobals());

const open = openConsole;

describe('host identity in the console', () => {
  it('marks hosts sharing a name, told apart by machine id for an operator', async () => {
    role = 'operator';
    open('/hosts');
    expect(await screen.findByText('duplicate name · machine aaaa1111')).toBeInTheDocument();
    expect(screen.getByText('duplicate name · machine eeee5555')).toBeInTheDocument();
    expect(screen.getAllByText(/duplicate name/)).toHaveLength(2);
  });

  it('tells them apart by host id for an auditor, who sees no machine id', async () => {
    role = 'auditor';
    open('/hosts');
    expect(await screen.findByText('duplicate name · host #7')).toBeInTheDocument();
    expect(screen.getByText('duplicate name · host #8')).toBeInTheDocument();
    expect(document.body.textContent).not.toMatch(/aaaa1111|eeee5555/);
  });

  it('lets an admin issue a one-time enrollment token for a host, shown once', async () => {
    role = 'admin';
    open('/hosts/7');
    expect(await screen.findByText('aaaa1111bbbb2222cccc3333dddd4444')).toBeInTheDocument();
    await userEvent.click(screen.getByRole('button', { name: 'Enrollment token…' }));
    expect(await screen.findByText('plh_one-time-token')).toBeInTheDocument();
    expect(posted).toEqual(['POST /api/v1/hosts/7/enroll-token']);
  });

  it('offers auditors no enrollment token and hides the machine id', async () => {
    role = 'auditor';
    open('/hosts/7');
    expect(await screen.findByText('hidden from auditors')).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Enrollment token…' })).toBeNull();
  });
});
