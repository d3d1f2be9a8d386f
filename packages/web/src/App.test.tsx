// @vitest-environment jsdom
/**
 * The console in jsdom against a fake API (fetch answers from a table): sign
 * in, the dashboard's figures and their links, the hosts filters in the URL
 * and in the request, the CSRF header on state changes, sign out.
 */
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { fakeApi, openConsole, reply, type Call } from './test-support/fake-api.js';
import { NO_FINDINGS, dashboard, hostSummary, session } from './test-support/fixtures.js';

const SESSION = session();

const DASHBOARD = dashboard({
  // What the dashboard shows of compliance: SLA compliance with its basis, and the patch figure.
  compliance: {
    slaCompliance: 0.818,
    inScope: 11,
    excepted: 1,
    hosts: { total: 4, assessed: 3, notAssessed: 1 },
    patch: { known: 3, upToDate: 1, compliance: 0.333 },
  },
  hosts: { total: 4, stale: 1, rebootRequired: 2, eol: 1, withKev: 2, notAssessed: 1 },
  patch: { securityUpdatesPending: 1, rebootPending: 1, updatesPending: 0, notAssessed: 1, upToDate: 1 },
  feeds: {
    imported: true,
    problems: [
      {
        source: 'osv',
        lastStatus: 'failed',
        lastImport: '2030-01-01T00:00:00Z',
        lastSuccess: '2029-12-30T00:00:00Z',
        lastError: 'GET https://osv-vulnerabilities.storage.googleapis.com/…: 503',
        lastErrorCode: 'PL_FEED_DOWNLOAD_FAILED',
      },
    ],
  },
  findings: { open: 11, kev: 3, breached: 2, byPriority: { P1: 3, P2: 4, P3: 4, P4: 0 } },
});
const HOST = hostSummary({
  os: { id: 'debian', versionId: '10', codename: 'buster', prettyName: 'Debian GNU/Linux 10 (buster)' },
  tags: ['web'],
  packageCount: 400,
  findingCounts: { ...NO_FINDINGS, total: 5, fixable: 5, kev: 1, critical: 1, high: 2, medium: 2 },
  patchStatus: 'security-updates-pending',
  pendingUpdates: { security: 2, other: 7 },
  eolStatus: 'eol',
});

let calls: Call[] = [];
let signedIn = false;
let emptyFleet = false;

function answer({ route, url, body }: Call): Response | undefined {
  if (route === 'GET /api/v1/session')
    return signedIn
      ? reply(200, SESSION)
      : reply(401, { error: { code: 'PL_AUTH_REQUIRED', message: 'no' } });
  if (route === 'POST /api/v1/session') {
    if ((body as { password: string }).password !== 'right-password')
      return reply(401, { error: { code: 'PL_AUTH_REQUIRED', message: 'wrong user name or password' } });
    signedIn = true;
    return reply(201, SESSION);
  }
  if (route === 'DELETE /api/v1/session') {
    signedIn = false;
    return reply(204, null);
  }
  if (route === 'GET /api/v1/dashboard') return reply(200, DASHBOARD);
  if (route === 'GET /api/v1/hosts') {
    const os = url.searchParams.get('os');
    const items = emptyFleet || (os && !'debian'.startsWith(os)) ? [] : [HOST];
    return reply(200, { items, total: items.length });
  }
  if (route === 'POST /api/v1/hosts/tags') return reply(200, { updated: 1 });
  if (route === 'GET /api/v1/settings/enrollment')
    return reply(200, {
      secret: null,
      command: 'PATCHLOOP_ENROLL_SECRET=<enrollment-secret> patchloop agent --server http://pl.example:8080',
      install: {
        server: 'http://pl.example:8080',
        command:
          'curl -fsSL http://pl.example:8080/install.sh | sudo sh -s -- --enroll-token <enrollment-secret>',
        ready: true,
        files: ['patchloop-agent-0.1.0-1.x86_64.rpm', 'patchloop-agent_0.1.0_amd64.deb'],
        notes: ['The URL is plain http: put a TLS reverse proxy in front.'],
      },
    });
  return undefined;
}

beforeEach(() => {
  signedIn = false;
  emptyFleet = false;
  SESSION.role = 'operator';
  calls = fakeApi(answer);
  window.history.replaceState(null, '', '/');
});
afterEach(() => vi.unstubAllGlobals());

const renderApp = () => openConsole(window.location.pathname + window.location.search);

async function signIn(password = 'right-password') {
  await userEvent.type(await screen.findByLabelText('Username'), 'alice');
  await userEvent.type(screen.getByLabelText('Password'), password);
  await userEvent.click(screen.getByRole('button', { name: 'Sign in' }));
}

describe('the console', () => {
  it('asks for Username and Password, says why a sign-in failed, and signs in', async () => {
    renderApp();
    await signIn('wrong');
    expect(await screen.findByRole('alert')).toHaveTextContent('wrong user name or password');
    await userEvent.clear(screen.getByLabelText('Password'));
    await userEvent.type(screen.getByLabelText('Password'), 'right-password');
    await userEvent.click(screen.getByRole('button', { name: 'Sign in' }));
    expect(await screen.findByRole('heading', { name: 'Dashboard' })).toBeInTheDocument();
    expect(screen.getByText('alice')).toBeInTheDocument();
  });

  it("shows the dashboard's figures, each a link to the list behind it", async () => {
    signedIn = true;
    renderApp();
    const kev = await screen.findByRole('link', { name: '3 KEV findings' });
    expect(kev).toHaveAttribute('href', '/findings?status=open&excepted=false&kev=true');
    expect(screen.getByRole('link', { name: '3 P1 findings' })).toHaveAttribute(
      'href',
      '/findings?status=open&excepted=false&priority=P1',
    );
    expect(screen.getByRole('link', { name: '0 P4 findings' })).toBeInTheDocument();
    expect(screen.getByRole('link', { name: '1 Stale hosts' })).toHaveAttribute('href', '/hosts?stale=true');
    expect(screen.getByRole('link', { name: '1 End of life' })).toHaveAttribute('href', '/hosts?eol=true');
    expect(screen.getByRole('link', { name: /^81\.8 % SLA compliance/ })).toBeInTheDocument();
    expect(screen.getByRole('link', { name: /^1 Not assessed/ })).toHaveAttribute(
      'href',
      '/hosts?assessed=false',
    );
    expect(screen.getByRole('link', { name: '1 Security updates pending' })).toHaveAttribute(
      'href',
      '/hosts?patchStatus=security-updates-pending',
    );
    expect(screen.getByRole('alert', { name: 'Feeds' })).toHaveTextContent(
      'Feed sync failed for osv (PL_FEED_DOWNLOAD_FAILED)',
    );
    const next = screen.getByRole('region', { name: 'What to do next' });
    expect(within(next).getAllByRole('listitem')[0]).toHaveTextContent(
      '1 hosts are not assessed: their findings mean nothing yet',
    );
    expect(within(next).getAllByRole('listitem')[2]).toHaveTextContent(
      '2 findings are past their SLA due date',
    );
  });

  it('filters hosts on the server and keeps the filters in the URL', async () => {
    signedIn = true;
    window.history.replaceState(null, '', '/hosts?hasKev=true');
    renderApp();
    expect(await screen.findByRole('link', { name: 'web-1' })).toHaveAttribute('href', '/hosts/7');
    // One OS naming style, the patch status, pending updates, KEV count and EOL state in the row.
    const row = screen.getByRole('row', { name: /web-1/ });
    expect(row).toHaveTextContent('Debian 10');
    expect(row).not.toHaveTextContent('GNU/Linux');
    expect(row).toHaveTextContent('security updates pending');
    expect(row).toHaveTextContent('2 security · 7 other');
    expect(row).toHaveTextContent('KEV 1');
    expect(row).toHaveTextContent('EOL');
    await userEvent.selectOptions(screen.getByLabelText('Patch status'), 'security-updates-pending');
    await waitFor(() => expect(window.location.search).toContain('patchStatus=security-updates-pending'));
    expect(
      calls.some(
        (c) =>
          c.url.pathname === '/api/v1/hosts' &&
          c.url.searchParams.get('patchStatus') === 'security-updates-pending',
      ),
    ).toBe(true);
    expect(screen.getByRole('checkbox', { name: 'Has KEV' })).toBeChecked();
    expect(
      calls.some((c) => c.url.pathname === '/api/v1/hosts' && c.url.searchParams.get('hasKev') === 'true'),
    ).toBe(true);
    await userEvent.type(screen.getByLabelText('OS'), 'alpine');
    expect(await screen.findByText('No host matches these filters')).toBeInTheDocument();
    expect(window.location.search).toContain('os=alpine');
    expect(window.location.search).toContain('hasKev=true');
    const last = calls.filter((c) => c.url.pathname === '/api/v1/hosts').at(-1);
    expect(last?.url.searchParams.get('os')).toBe('alpine');
  });

  it("tags selected hosts in bulk, sending the session's CSRF token", async () => {
    signedIn = true;
    window.history.replaceState(null, '', '/hosts');
    renderApp();
    await userEvent.click(await screen.findByRole('checkbox', { name: 'Select web-1' }));
    const bar = screen.getByRole('form', { name: 'Tag the selected hosts' });
    await userEvent.type(within(bar).getByLabelText('Tag'), 'pilot');
    await userEvent.click(within(bar).getByRole('button', { name: 'Add tag' }));
    await waitFor(() => expect(calls.some((c) => c.url.pathname === '/api/v1/hosts/tags')).toBe(true));
    const call = calls.find((c) => c.url.pathname === '/api/v1/hosts/tags') as Call;
    expect(call.body).toEqual({ hostIds: [7], add: ['pilot'] });
    expect(call.headers['x-csrf-token']).toBe('csrf-abc');
  });

  it('tells a new admin how to enroll the first host, with the exact command and secret', async () => {
    signedIn = true;
    emptyFleet = true;
    SESSION.role = 'admin';
    window.history.replaceState(null, '', '/hosts');
    renderApp();
    expect(await screen.findByRole('heading', { name: 'No hosts yet' })).toBeInTheDocument();
    const command = await screen.findByLabelText('Enrollment command');
    await waitFor(() =>
      expect(command).toHaveTextContent(
        'PATCHLOOP_ENROLL_SECRET=<enrollment-secret> patchloop agent --server http://pl.example:8080',
      ),
    );
    expect(screen.getByLabelText('Installer command')).toHaveTextContent(
      'curl -fsSL http://pl.example:8080/install.sh | sudo sh -s -- --enroll-token <enrollment-secret>',
    );
  });

  it('shows admins in Settings the installer line, what the server still needs, and the packages', async () => {
    signedIn = true;
    SESSION.role = 'admin';
    window.history.replaceState(null, '', '/settings');
    renderApp();
    expect(await screen.findByLabelText('Installer command')).toHaveTextContent(
      'curl -fsSL http://pl.example:8080/install.sh | sudo sh -s -- --enroll-token <enrollment-secret>',
    );
    expect(screen.getByRole('note', { name: 'What a remote machine needs' })).toHaveTextContent(
      'The URL is plain http: put a TLS reverse proxy in front.',
    );
    expect(screen.getByRole('link', { name: 'patchloop-agent_0.1.0_amd64.deb' })).toHaveAttribute(
      'href',
      'http://pl.example:8080/downloads/patchloop-agent_0.1.0_amd64.deb',
    );
  });

  it('does not show other roles the secret, and says whom to ask', async () => {
    signedIn = true;
    emptyFleet = true;
    window.history.replaceState(null, '', '/hosts');
    renderApp();
    expect(await screen.findByText(/Ask an administrator for the enrollment command/)).toBeInTheDocument();
    expect(calls.some((c) => c.url.pathname === '/api/v1/settings/enrollment')).toBe(false);
  });

  it('signs out and returns to the sign-in form', async () => {
    signedIn = true;
    renderApp();
    await userEvent.click(await screen.findByRole('button', { name: 'Sign out' }));
    expect(await screen.findByRole('button', { name: 'Sign in' })).toBeInTheDocument();
    const del = calls.find((c) => c.method === 'DELETE');
    expect(del?.headers['x-csrf-token']).toBe('csrf-abc');
  });
});
