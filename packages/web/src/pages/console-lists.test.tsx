// @vitest-environment jsdom
/**
 * The lists' daily work in jsdom against a fake API (fetch answers from a
 * table): CSV exports carry the filters, a finding's "request exception"
 * fills in the form, the form picks hosts by name, remediations page and
 * deploy after a confirmation, the audit log reads as changes with links.
 */
import { configure, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { fakeApi, openConsole, reply, type Call } from '../test-support/fake-api.js';
import { finding, hostDetail, hostSummary, session } from '../test-support/fixtures.js';

// Role queries over a whole page are slow in jsdom.
configure({ asyncUtilTimeout: 5000 });

const SESSION = session();

const FINDING = finding({
  hostname: 'web-frontend-production-eu-west-1a.example.internal',
  advisory: { ...finding().advisory, aliases: ['CVE-2023-0286'] },
  explanation: 'libssl1.1 1.1.1d-0+deb10u3 is older than 1.1.1n-0+deb10u6',
});

const host = (id: number, hostname: string) => hostSummary({ id, hostname });
const HOSTS = [host(7, FINDING.hostname), host(8, 'web-2'), host(9, 'db-1')];

const remediation = (i: number) => ({
  package: i === 0 ? 'openssl' : `pkg-${i}`,
  toVersion: i === 0 ? '1.1.1n-0+deb10u6' : '1.0',
  binaries: i === 0 ? ['libssl1.1', 'openssl'] : [`pkg-${i}`],
  hosts: i === 0 ? 2 : 1,
  findings: 3,
  riskRemoved: 100 - i,
  kev: 0,
  severity: 'high',
  advisories: ['DSA-5343-1'],
  summary: `updating ${i === 0 ? 'openssl' : `pkg-${i}`} closes 3 findings`,
  cumulativeRisk: 100,
  cumulativeShare: 0.5,
});
const TARGETS = [
  {
    hostId: 7,
    hostname: FINDING.hostname,
    packages: [
      { name: 'libssl1.1', version: '1.1.1n-0+deb10u6' },
      { name: 'openssl', version: '1.1.1n-0+deb10u6' },
    ],
  },
  { hostId: 9, hostname: 'db-1', packages: [{ name: 'libssl1.1', version: '1.1.1n-0+deb10u6' }] },
];

let calls: Call[] = [];
let nextDeployment = 40;

function answer({ route, url, body }: Call): Response | undefined {
  const q = url.searchParams;
  if (route === 'GET /api/v1/session') return reply(200, SESSION);
  if (route === 'GET /api/v1/findings') return reply(200, { items: [FINDING], total: 1 });
  if (route === 'GET /api/v1/hosts') {
    const items = HOSTS.filter((h) => h.hostname.includes(q.get('q') ?? ''));
    return reply(200, { items, total: items.length });
  }
  if (route === 'GET /api/v1/hosts/7') return reply(200, hostDetail(HOSTS[0]));
  if (route === 'GET /api/v1/exceptions') return reply(200, { items: [], total: 0 });
  if (route === 'POST /api/v1/exceptions') return reply(201, { id: 1, ...(body as object) });
  if (route === 'GET /api/v1/remediations') {
    if (q.get('package') === 'openssl')
      return reply(200, { items: [{ ...remediation(0), targets: TARGETS }], total: 1, totalRisk: 200 });
    const offset = Number(q.get('offset') ?? 0);
    const limit = Number(q.get('limit') ?? 20);
    const all = Array.from({ length: 60 }, (_, i) => remediation(i));
    return reply(200, { items: all.slice(offset, offset + limit), total: all.length, totalRisk: 200 });
  }
  if (route === 'POST /api/v1/deployments') return reply(201, { id: nextDeployment++, hosts: [] });
  if (route === 'GET /api/v1/deployments') return reply(200, { items: [], total: 0 });
  if (route === 'GET /api/v1/audit')
    return reply(200, {
      total: 2,
      items: [
        {
          seq: 2,
          at: '2030-01-01T00:00:00Z',
          actor: 'agent:7',
          action: 'deployment.task',
          target: 'deployment:40',
          before: { status: 'queued' },
          after: { status: 'succeeded' },
          hash: 'b',
        },
        {
          seq: 1,
          at: '2030-01-01T00:00:00Z',
          actor: 'alice',
          action: 'policy.create',
          target: 'policy:buster-servers',
          before: null,
          after: { version: 1, document: { approve: { deferDays: 0 }, rings: ['pilot', 'broad'] } },
          hash: 'a',
        },
      ],
    });
  return undefined;
}

beforeEach(() => {
  nextDeployment = 40;
  SESSION.role = 'operator';
  calls = fakeApi(answer);
});
afterEach(() => vi.unstubAllGlobals());

const renderAt = openConsole;
const posts = (path: string) => calls.filter((c) => c.method === 'POST' && c.url.pathname === path);

describe('the console lists', () => {
  it('exports the findings it shows as CSV, filters and all, not just the page', async () => {
    renderAt('/findings?severity=high&kev=true&offset=100');
    await screen.findByRole('button', { name: /^Explain ?DSA-5343-1 on web-frontend/ });
    const href = screen.getByRole('link', { name: /^Export CSV ?of these findings$/ }).getAttribute('href');
    const url = new URL(href ?? '', 'http://console.test');
    expect(url.pathname).toBe('/api/v1/findings');
    expect(Object.fromEntries(url.searchParams)).toEqual({
      severity: 'high',
      kev: 'true',
      sort: 'risk',
      format: 'csv',
    });
  });

  it("requests an exception from a finding: the form is filled in with its advisory, package and host's name", async () => {
    renderAt('/findings');
    const link = await screen.findByRole('link', {
      name: /^Request ?Exception ?for DSA-5343-1 on web-frontend/,
    });
    await userEvent.click(link);
    const form = await screen.findByRole('form', { name: 'Request an exception' });
    expect(within(form).getByLabelText('Advisory or CVE')).toHaveValue('DSA-5343-1');
    expect(within(form).getByLabelText('Package')).toHaveValue('libssl1.1');
    expect(await within(form).findByText(FINDING.hostname)).toBeInTheDocument();
    await userEvent.type(within(form).getByLabelText('Justification'), 'Not reachable: the service is off');
    await userEvent.click(within(form).getByRole('button', { name: 'Request exception' }));
    await waitFor(() => expect(posts('/api/v1/exceptions')).toHaveLength(1));
    expect(posts('/api/v1/exceptions')[0]?.body).toMatchObject({
      kind: 'accepted-risk',
      advisory: 'DSA-5343-1',
      package: 'libssl1.1',
      hostId: 7,
    });
  });

  it('does not offer an auditor to request an exception', async () => {
    SESSION.role = 'auditor';
    renderAt('/findings');
    await screen.findByRole('button', { name: /^Explain ?DSA-5343-1 on web-frontend/ });
    expect(screen.queryByRole('link', { name: /Request ?Exception/i })).toBeNull();
  });

  it('picks the host of an exception by name, searching on the server', async () => {
    renderAt('/exceptions');
    await userEvent.click(await screen.findByRole('button', { name: 'Request an exception' }));
    const form = await screen.findByRole('form', { name: 'Request an exception' });
    await userEvent.type(within(form).getByLabelText('Host'), 'web');
    const matches = await within(form).findByRole('list', { name: 'Hosts matching web' });
    expect(
      within(matches)
        .getAllByRole('button')
        .map((b) => b.textContent),
    ).toEqual([FINDING.hostname, 'web-2']);
    expect(
      calls.some((c) => c.url.pathname === '/api/v1/hosts' && c.url.searchParams.get('q') === 'web'),
    ).toBe(true);
    await userEvent.click(within(matches).getByRole('button', { name: 'web-2' }));
    expect(within(form).getByText('web-2')).toBeInTheDocument();
    await userEvent.type(within(form).getByLabelText('Justification'), 'Compensated by the WAF in front');
    await userEvent.click(within(form).getByRole('button', { name: 'Request exception' }));
    await waitFor(() => expect(posts('/api/v1/exceptions')).toHaveLength(1));
    expect(posts('/api/v1/exceptions')[0]?.body).toMatchObject({ hostId: 8 });
    expect(posts('/api/v1/exceptions')[0]?.body).not.toHaveProperty('advisory');
  });

  it('pages remediations on the server and deploys one to its hosts after confirming hosts and packages', async () => {
    renderAt('/remediation');
    expect(await screen.findByText('1–50 of 60')).toBeInTheDocument();
    await userEvent.click(screen.getByRole('button', { name: 'Next' }));
    expect(await screen.findByText('51–60 of 60')).toBeInTheDocument();
    expect(
      calls.some(
        (c) => c.url.pathname === '/api/v1/remediations' && c.url.searchParams.get('offset') === '50',
      ),
    ).toBe(true);
    await userEvent.click(screen.getByRole('button', { name: 'Previous' }));
    await userEvent.click(
      await screen.findByRole('button', { name: /^Deploy this update ?\(openssl 1\.1\.1n-0\+deb10u6\)$/ }),
    );
    const confirm = await screen.findByRole('region', { name: 'Deploy openssl 1.1.1n-0+deb10u6' });
    const list = await within(confirm).findByRole('list', { name: 'Hosts and packages' });
    expect(
      within(list)
        .getAllByRole('listitem')
        .map((li) => li.textContent),
    ).toEqual([
      `${FINDING.hostname}: libssl1.1 1.1.1n-0+deb10u6, openssl 1.1.1n-0+deb10u6`,
      'db-1: libssl1.1 1.1.1n-0+deb10u6',
    ]);
    expect(posts('/api/v1/deployments')).toHaveLength(0);
    await userEvent.click(within(confirm).getByRole('button', { name: 'Deploy to 2 hosts' }));
    await waitFor(() => expect(posts('/api/v1/deployments')).toHaveLength(2));
    expect(posts('/api/v1/deployments').map((c) => c.body)).toEqual([
      { hosts: [7], packages: TARGETS[0]?.packages, reboot: 'if-required' },
      { hosts: [9], packages: TARGETS[1]?.packages, reboot: 'if-required' },
    ]);
    expect(await screen.findByRole('heading', { name: 'Deployments' })).toBeInTheDocument();
  });

  it('shows audit changes as fields, before and after, and links targets and agents', async () => {
    renderAt('/audit');
    expect(await screen.findByRole('link', { name: 'deployment:40' })).toHaveAttribute(
      'href',
      '/deployments/40',
    );
    expect(screen.getByRole('link', { name: 'policy:buster-servers' })).toHaveAttribute(
      'href',
      '/policies/buster-servers',
    );
    expect(screen.getByRole('link', { name: 'agent:7' })).toHaveAttribute('href', '/hosts/7');
    expect(screen.getByText('status: queued → succeeded')).toBeInTheDocument();
    const change = screen.getByRole('table', { name: 'Change of event 1' });
    const rows = within(change)
      .getAllByRole('row')
      .slice(1)
      .map((r) => [...r.children].map((c) => c.textContent));
    expect(rows).toEqual([
      ['version', '—', '1'],
      ['document.approve.deferDays', '—', '0'],
      ['document.rings', '—', 'pilot, broad'],
    ]);
    expect(document.body.textContent).not.toMatch(/[{}]/);
    expect(screen.getByRole('link', { name: /^Export CSV ?of these audit events$/ })).toHaveAttribute(
      'href',
      '/api/v1/audit?format=csv',
    );
  });
});
