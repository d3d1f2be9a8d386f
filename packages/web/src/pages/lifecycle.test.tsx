// @vitest-environment jsdom
/**
 * Users, hosts and one's own account over their lifetime, in the console
 * against a fake API: an admin disables a user and resets a password (shown
 * once), rotates the enrollment secret, retires a host after confirming it;
 * a user changes its own password from the account menu.
 */
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Host } from '../api/types.js';
import { fakeApi, openConsole, reply, type Call } from '../test-support/fake-api.js';
import { hostDetail, session } from '../test-support/fixtures.js';

const SESSION = session({ username: 'root', role: 'admin', csrfToken: 'csrf-xyz' });
const USERS = [
  { id: 1, username: 'admin', role: 'admin', createdAt: '2030-01-01T00:00:00Z', disabledAt: null },
  { id: 2, username: 'dora', role: 'operator', createdAt: '2030-01-02T00:00:00Z', disabledAt: null },
];
const HOST: Host = hostDetail({
  os: { id: 'debian', versionId: '10', codename: 'buster', prettyName: 'Debian GNU/Linux 10 (buster)' },
});

let calls: Call[] = [];

function answer({ route, url, body }: Call): Response | undefined {
  if (route === 'GET /api/v1/session') return reply(200, SESSION);
  if (route === 'GET /api/v1/users') return reply(200, { items: USERS });
  if (route === 'PATCH /api/v1/users/dora') return reply(200, { ...USERS[1], ...(body as object) });
  if (route === 'POST /api/v1/users/dora/password')
    return reply(200, { username: 'dora', password: 'generated-pass-0123' });
  if (route === 'GET /api/v1/settings/enrollment')
    return reply(200, {
      secret: null,
      secretNote: 'The enrollment secret is kept only hashed, so it cannot be shown again.',
      command: 'PATCHLOOP_ENROLL_SECRET=<enrollment-secret> patchloop agent',
    });
  if (route === 'POST /api/v1/settings/enrollment/rotate')
    return reply(200, {
      secret: 'new-secret',
      secretNote: 'Shown once: only its hash is kept.',
      command: 'PATCHLOOP_ENROLL_SECRET=new-secret patchloop agent',
    });
  if (route === 'GET /api/v1/hosts/7') return reply(200, HOST);
  if (route === 'POST /api/v1/hosts/7/retire') {
    HOST.retired = {
      at: '2030-01-03T00:00:00Z',
      by: 'user:root',
      reason: (body as { reason: string }).reason,
    };
    return reply(200, HOST);
  }
  if (route === 'PUT /api/v1/session/password') {
    const b = body as { currentPassword: string };
    return b.currentPassword === 'right-password'
      ? reply(204, null)
      : reply(403, { error: { code: 'PL_PASSWORD_WRONG', message: 'the current password is wrong' } });
  }
  if (/^\/api\/v1\/(feeds|tokens|hosts\/7\/)/.test(url.pathname)) return reply(200, { items: [], total: 0 });
  return undefined;
}

beforeEach(() => {
  HOST.retired = null;
  calls = fakeApi(answer);
  vi.stubGlobal(
    'confirm',
    vi.fn(() => true),
  );
});
afterEach(() => vi.unstubAllGlobals());

const open = openConsole;
const sent = (method: string, path: string) => calls.find((c) => c.method === method && c.path === path);

describe('lifecycle in the console', () => {
  it('disables a user, resets a password (shown once) and rotates the enrollment secret', async () => {
    open('/settings');
    await userEvent.click(await screen.findByRole('button', { name: 'Disable dora' }));
    await waitFor(() => expect(sent('PATCH', '/api/v1/users/dora')?.body).toEqual({ disabled: true }));
    expect(sent('PATCH', '/api/v1/users/dora')?.headers['x-csrf-token']).toBe('csrf-xyz');
    await userEvent.selectOptions(screen.getByRole('combobox', { name: 'Role of dora' }), 'auditor');
    await waitFor(() =>
      expect(calls.filter((c) => c.method === 'PATCH').at(-1)?.body).toEqual({ role: 'auditor' }),
    );
    await userEvent.click(screen.getByRole('button', { name: 'Reset password of dora' }));
    expect(await screen.findByText('generated-pass-0123')).toBeInTheDocument();
    expect(screen.getByText(/cannot be shown again/)).toBeInTheDocument();
    expect(screen.queryByLabelText('Enrollment secret')).toBeNull();
    await userEvent.click(screen.getByRole('button', { name: 'Rotate and show the new secret' }));
    expect(await screen.findByText('PATCHLOOP_ENROLL_SECRET=new-secret patchloop agent')).toBeInTheDocument();
    expect(screen.getByLabelText('Enrollment secret')).toHaveTextContent('new-secret');
  });

  it('retires a host only after confirming, with the reason, and says it is retired', async () => {
    open('/hosts/7');
    await userEvent.click(await screen.findByRole('button', { name: 'Retire host…' }));
    expect(sent('POST', '/api/v1/hosts/7/retire')).toBeUndefined();
    const confirm = screen.getByRole('group', { name: 'Confirm retiring web-1' });
    await userEvent.type(within(confirm).getByLabelText(/Reason/), 'decommissioned');
    await userEvent.click(within(confirm).getByRole('button', { name: 'Retire web-1' }));
    expect(await screen.findByText(/Retired .* by user:root \(decommissioned\)/)).toBeInTheDocument();
    expect(sent('POST', '/api/v1/hosts/7/retire')?.body).toEqual({ reason: 'decommissioned' });
    expect(screen.getByRole('button', { name: 'Reinstate host' })).toBeInTheDocument();
  });

  it('changes one own password from the account menu, saying why a wrong one fails', async () => {
    open('/settings');
    const summary = await screen.findByText((_, el) => el?.tagName === 'SUMMARY');
    await userEvent.click(summary);
    const form = screen.getByRole('form', { name: 'Change your password' });
    await userEvent.type(within(form).getByLabelText('Current password'), 'wrong-password');
    await userEvent.type(within(form).getByLabelText(/New password/), 'a-new-password-0123');
    await userEvent.click(within(form).getByRole('button', { name: 'Change password' }));
    expect(await screen.findByText('the current password is wrong')).toBeInTheDocument();
    await userEvent.clear(within(form).getByLabelText('Current password'));
    await userEvent.type(within(form).getByLabelText('Current password'), 'right-password');
    await userEvent.click(within(form).getByRole('button', { name: 'Change password' }));
    expect(await screen.findByText(/Password changed/)).toBeInTheDocument();
    expect(sent('PUT', '/api/v1/session/password')?.body).toEqual({
      currentPassword: 'wrong-password',
      newPassword: 'a-new-password-0123',
    });
  });
});
