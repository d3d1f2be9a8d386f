/// <reference lib="dom" />
/**
 * The console in a real browser (Debian's Chromium through playwright-core)
 * against a real `patchloop server` on its embedded store, with real data:
 * feeds imported from a mirror (Debian DSA/DLA lists, Alpine secdb, KEV,
 * EPSS, end-of-life), agents reporting fixture inventories (two Debian 10
 * roots, one Alpine 3.10 root) and two lab hosts (debootstrap bookworm
 * roots with packages from a local apt repository) that a deployment started
 * from the console updates through dpkg. Each page is checked with axe-core
 * (WCAG 2 A/AA: contrast, labels, names) and written as a screenshot under
 * .test-results/console/.
 */
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import {
  bookwormTarball,
  buildLabPackages,
  dpkgStatus,
  labDsaList,
  labUnavailable,
  makeHostRoot,
  removeHostRoot,
  runInRootOk,
  startAptRepo,
  type AptRepo,
} from '@patchloop/agent/testing';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { axeViolations, chromiumUnavailable, launchChromium, shot } from './browser.js';
import {
  agentArgs,
  alpineRoot,
  client,
  csvPackages,
  debianBusterRoot,
  feedMirror,
  fixtures,
  type Proc,
  serverEnv,
  start,
  startServer,
  tempDir,
  waitFor,
} from './fleet-lab.js';

const ADMIN_TOKEN = 'console-admin-token-0123456789';
const PASSWORD = 'console-admin-password-0123';
const SECRET = 'console-enroll-secret-0123456789';

const why = chromiumUnavailable() ?? labUnavailable();
if (why !== null) console.warn(`SKIPPED: the console end-to-end test needs Chromium and the lab: ${why}`);

interface Dashboard {
  compliance: { slaCompliance: number };
  hosts: { total: number; stale: number; rebootRequired: number; eol: number; withKev: number };
  findings: { open: number; kev: number; breached: number; byPriority: Record<string, number> };
}
interface FindingItem {
  advisory: { id: string };
  hostname: string;
  explanation: string;
  package: string;
}

/** The number a dashboard figure shows ("1,234" → 1234). */
async function figure(page: Page, label: string): Promise<number> {
  const id = `stat-${label.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`;
  const text = (await page.getByTestId(id).textContent()) ?? '';
  return Number(text.replace(/,/g, ''));
}

describe.skipIf(why !== null)('the console in a browser', () => {
  const work = tempDir('console');
  const env = serverEnv(ADMIN_TOKEN, SECRET, {
    PATCHLOOP_ADMIN_PASSWORD: PASSWORD,
    PATCHLOOP_CHECKIN_INTERVAL: '1s',
  });
  let server: Proc & { url: string };
  let api: ReturnType<typeof client>;
  let repo: AptRepo;
  let browser: Browser;
  let page: Page;
  const agents: Proc[] = [];
  const labRoots = new Map<string, string>();
  const a11y: Record<string, string[]> = {};

  const agent = (root: string, name: string, tags: string) =>
    agents.push(
      start(
        agentArgs({ server: server.url, secret: SECRET, root, stateDir: join(work, `${name}-state`), tags }),
        {},
      ),
    );

  /** axe on the page as it is, then a screenshot: serious and critical findings are collected per page. */
  async function look(name: string): Promise<void> {
    await page.waitForLoadState('networkidle');
    const v = await axeViolations(page);
    const bad = v.filter((x) => x.impact === 'serious' || x.impact === 'critical');
    if (bad.length > 0) {
      a11y[name] = bad.map((x) => `${x.id}: ${x.help} (${x.nodes.join(', ')})`);
      console.warn(`accessibility: ${name}\n  ${a11y[name].join('\n  ')}`);
    }
    // Nothing wider than the window: wide tables scroll inside their own region.
    const wide = await page.evaluate(() => {
      const limit = document.documentElement.clientWidth;
      if (document.documentElement.scrollWidth <= limit) return [];
      return Array.from(document.querySelectorAll('body *'))
        .filter((e) => e.getBoundingClientRect().right > limit + 1)
        .filter((e) => !Array.from(e.children).some((c) => c.getBoundingClientRect().right > limit + 1))
        .slice(0, 5)
        .map((e) => `${e.tagName.toLowerCase()}.${e.className}`);
    });
    if (wide.length > 0) {
      a11y[`${name} (wider than the window)`] = wide;
      console.warn(`layout: ${name} overflows: ${wide.join(', ')}`);
    }
    await shot(page, name);
  }

  beforeAll(async () => {
    await bookwormTarball();
    repo = await startAptRepo(await buildLabPackages(join(work, 'debs')));
    // Real feeds from the fixtures, plus the lab's DSA for its packages.
    const mirror = feedMirror();
    const dsa = join(mirror, 'debian-dsa/DSA/list');
    writeFileSync(dsa, labDsaList() + readFileSync(dsa, 'utf8'));
    // CISA's catalog, plus one entry for the lab's made-up CVE (year 2099), so the lab hosts carry a KEV finding.
    const kev = JSON.parse(
      readFileSync(join(fixtures, 'kev/known_exploited_vulnerabilities.json'), 'utf8'),
    ) as {
      count: number;
      vulnerabilities: Record<string, unknown>[];
    };
    kev.vulnerabilities.push({
      cveID: 'CVE-2099-90011',
      vendorProject: 'Patchloop lab',
      product: 'pl-app',
      vulnerabilityName: 'pl-app lab vulnerability',
      dateAdded: '2025-01-02',
      shortDescription: 'A made-up vulnerability of the lab package pl-app.',
      requiredAction: 'Apply updates per vendor instructions.',
      dueDate: '2025-01-23',
      knownRansomwareCampaignUse: 'Unknown',
      notes: '',
      cwes: [],
    });
    kev.count = kev.vulnerabilities.length;
    mkdirSync(join(mirror, 'kev'), { recursive: true });
    writeFileSync(join(mirror, 'kev/known_exploited_vulnerabilities.json'), JSON.stringify(kev));
    mkdirSync(join(mirror, 'epss'), { recursive: true });
    writeFileSync(
      join(mirror, 'epss/epss_scores-current.csv.gz'),
      gzipSync(readFileSync(join(fixtures, 'epss/epss_scores-2026-08-16.csv'))),
    );
    mkdirSync(join(mirror, 'endoflife'), { recursive: true });
    for (const p of ['debian', 'alpine-linux']) {
      cpSync(join(fixtures, `endoflife/json/${p}.json`), join(mirror, `endoflife/${p}.json`));
    }
    env.PATCHLOOP_FEED_MIRROR = mirror;
    server = await startServer(['--data-dir', join(work, 'data')], env);
    api = client(server.url, ADMIN_TOKEN);

    const buster = csvPackages('debian-buster.csv');
    const a = debianBusterRoot('buster-a', 'c0a50000000000000000000000000001', buster);
    const b = debianBusterRoot('buster-b', 'c0a50000000000000000000000000002', buster.slice(0, 150));
    const alp = alpineRoot('alpine-a', 'c0a50000000000000000000000000003', csvPackages('alpine-310.csv'));
    agent(a.root, 'buster-a', 'web,debian');
    agent(b.root, 'buster-b', 'db,debian');
    agent(alp.root, 'alpine-a', 'edge');
    for (const [i, name] of ['lab-1', 'lab-2'].entries()) {
      const root = await makeHostRoot(name, {
        hostname: name,
        machineId: `c0a5000000000000000000000000010${i}`,
        repoUrl: repo.url,
      });
      await runInRootOk(root, ['apt-get', 'update']);
      await runInRootOk(root, ['apt-get', 'install', '-y', 'pl-app=1.0-1', 'pl-broken=1.0-1']);
      labRoots.set(name, root);
      agent(root, name, i === 0 ? 'lab,pilot' : 'lab');
    }
    await waitFor(
      'five hosts assessed, the lab hosts vulnerable to DSA-9001-1 (known exploited)',
      async () => {
        const hosts = await api<{ items: { hostname: string; findingCounts: { total: number } }[] }>(
          '/api/v1/hosts?limit=100',
        );
        const lab = await api<{ total: number }>('/api/v1/findings?advisory=DSA-9001-1&kev=true&limit=1');
        return (
          hosts.items.length === 5 && hosts.items.every((h) => h.findingCounts.total > 0) && lab.total === 2
        );
      },
      240_000,
    );
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  }, 600_000);

  afterAll(async () => {
    await browser?.close();
    await Promise.all(agents.map((p) => p.stop()));
    await server?.stop();
    await repo?.stop();
    for (const root of labRoots.values()) await removeHostRoot(root);
  }, 120_000);

  it('signs in with Username and Password, reachable from the keyboard', async () => {
    await page.goto(server.url);
    await page.getByLabel('Username').waitFor();
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('username');
    await look('01-sign-in');
    await page.getByLabel('Username').fill('admin');
    await page.getByLabel('Password').fill('not-the-password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('wrong user name or password');
    await page.getByLabel('Password').fill(PASSWORD);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Dashboard', exact: true }).waitFor();
    // The session is an HttpOnly cookie: the page's script cannot read it.
    expect(await page.evaluate(() => document.cookie)).not.toContain('pl_session');
    const cookies = await page.context().cookies();
    expect(cookies.find((c) => c.name === 'pl_session')).toMatchObject({
      httpOnly: true,
      sameSite: 'Strict',
    });
  });

  it("shows the dashboard's figures exactly as the API counts them, each linking to its list", async () => {
    const d = await api<Dashboard>('/api/v1/dashboard');
    expect(d.findings.open).toBeGreaterThan(0);
    expect(d.findings.kev).toBeGreaterThan(0);
    await page.reload();
    await page.getByRole('heading', { name: 'Dashboard', exact: true }).waitFor();
    expect(await figure(page, 'Open findings')).toBe(d.findings.open);
    expect(await figure(page, 'KEV findings')).toBe(d.findings.kev);
    expect(await figure(page, 'SLA breaches')).toBe(d.findings.breached);
    for (const p of ['P1', 'P2', 'P3', 'P4'])
      expect(await figure(page, `${p} findings`)).toBe(d.findings.byPriority[p] ?? 0);
    expect(await figure(page, 'Hosts')).toBe(5);
    expect(await figure(page, 'Stale hosts')).toBe(d.hosts.stale);
    expect(await figure(page, 'Need reboot')).toBe(d.hosts.rebootRequired);
    expect(await figure(page, 'End of life')).toBe(d.hosts.eol);
    expect(await figure(page, 'Hosts with KEV')).toBe(d.hosts.withKev);
    await look('02-dashboard');
    // The KEV figure leads to the list it counts.
    await page.getByRole('link', { name: /^[\d,]+ KEV findings$/ }).click();
    await page.getByRole('heading', { name: 'Findings', exact: true }).waitFor();
    await expect
      .poll(() => page.locator('.page-head .muted').textContent())
      .toBe(`${d.findings.kev} findings`);
    await look('03-findings-kev');
    // EOL hosts: Debian 10 and Alpine 3.10 are past their end of life.
    await page.goto(`${server.url}/`);
    await page.getByRole('link', { name: /^[\d,]+ End of life$/ }).click();
    await page.getByRole('heading', { name: 'Hosts', exact: true }).waitFor();
    await expect.poll(() => page.locator('.page-head .muted').textContent()).toBe(`${d.hosts.eol} hosts`);
  });

  it('filters hosts on the server (OS, KEV) and sorts them', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Hosts' }).click();
    await page.getByRole('heading', { name: 'Hosts', exact: true }).waitFor();
    const rows = () =>
      page.locator('table.data-table tbody tr[aria-rowindex] td:nth-child(2) a').allTextContents();
    await expect.poll(rows).toHaveLength(5);
    await page.getByLabel('OS', { exact: true }).fill('alpine');
    await expect.poll(rows).toEqual(['alpine-a']);
    await page.getByLabel('OS', { exact: true }).fill('');
    await page.getByLabel('Has KEV').click();
    await expect.poll(() => page.getByLabel('Has KEV').isChecked()).toBe(true);
    const withKev = await api<{ items: { hostname: string }[] }>(
      '/api/v1/hosts?hasKev=true&sort=hostname&order=asc',
    );
    await page.getByRole('button', { name: /Hostname/ }).click(); // desc
    await page.getByRole('button', { name: /Hostname/ }).click(); // asc
    await expect.poll(rows).toEqual(withKev.items.map((h) => h.hostname));
    expect(page.url()).toContain('hasKev=true');
    await look('04-hosts-filtered');
  });

  it('opens a host and explains its findings as the API does', async () => {
    const hosts = await api<{ items: { id: number; hostname: string }[] }>('/api/v1/hosts?q=buster-a');
    const host = hosts.items[0]!;
    const findings = await api<{ items: FindingItem[] }>(
      `/api/v1/hosts/${host.id}/findings?status=open&sort=risk&limit=5`,
    );
    await page.goto(`${server.url}/hosts`);
    await page.getByRole('link', { name: 'buster-a', exact: true }).click();
    await page.getByRole('heading', { name: 'buster-a' }).waitFor();
    await expect.poll(() => page.getByText('End of life').first().isVisible()).toBe(true);
    await look('05-host-overview');
    await page.getByRole('tab', { name: /Findings/ }).click();
    const first = page.locator('.finding-list > li').first();
    await first.locator('summary').click();
    await expect.poll(() => first.locator('.explanation').textContent()).toBe(findings.items[0]!.explanation);
    expect(await first.locator('summary').textContent()).toContain(findings.items[0]!.advisory.id);
    await look('06-host-findings');
    for (const tab of ['Packages', 'Updates', 'Deployments', 'Audit trail']) {
      await page.getByRole('tab', { name: new RegExp(`^${tab}`) }).click();
      await page.waitForLoadState('networkidle');
    }
    await page.getByRole('tab', { name: /^Packages/ }).click();
    await expect.poll(() => page.getByRole('table', { name: 'Installed packages' }).isVisible()).toBe(true);
    await look('07-host-packages');
  });

  it('edits a policy with problems shown inline, saves it and simulates it', async () => {
    await page.goto(`${server.url}/policies`);
    await page.getByRole('heading', { name: 'Policies', exact: true }).waitFor();
    await look('08-policies-empty');
    await page.getByRole('link', { name: 'New policy' }).click();
    await page.getByLabel('Name').fill('console-lab');
    const editor = page.locator('.cm-content');
    await editor.fill('name: console-lab\nselector: { tags: [lab] }\nreboot: sometimes\n');
    const problems = page.getByRole('alert', { name: 'Problems in this policy' });
    await expect.poll(() => problems.textContent()).toContain('reboot');
    await expect.poll(() => problems.textContent()).toContain('line 3');
    // The editor marks the line itself.
    await expect.poll(() => page.locator('.cm-lintRange-error').count()).toBeGreaterThan(0);
    await look('09-policy-invalid');
    expect(await page.getByRole('button', { name: 'Save policy' }).isDisabled()).toBe(true);
    await editor.fill(`name: console-lab
selector: { tags: [lab] }
exclude: { packages: ["pl-broken"] }
rings:
  - { name: pilot, selector: { tags: [pilot] }, bake: "2s", minSuccess: 1.0 }
  - { name: broad, selector: {}, errorBudget: 0 }
reboot: never
`);
    await expect.poll(() => page.getByText('The policy is valid.').isVisible()).toBe(true);
    await page.getByRole('button', { name: 'Save policy' }).click();
    await page.waitForURL(/\/policies\/console-lab$/);
    const saved = await api<{ version: number; document: { name: string } }>('/api/v1/policies/console-lab');
    expect(saved.document.name).toBe('console-lab');
    await page.getByRole('button', { name: 'Simulate' }).click();
    const sim = page.getByRole('table', { name: 'What each host would get' });
    await sim.waitFor();
    const simRows = await sim.locator('tbody tr').allTextContents();
    expect(simRows).toHaveLength(2);
    expect(simRows.find((r) => r.startsWith('lab-1'))).toMatch(/pilot.*deploys now.*pl-app → 1\.0-2/);
    expect(simRows.find((r) => r.startsWith('lab-2'))).toMatch(/broad.*waits for an earlier ring.*pl-app/);
    await look('10-policy-simulation');
  });

  it('runs a deployment from the policy and watches it complete, rings in order, in the lab', async () => {
    await page.getByRole('button', { name: 'Start deployment' }).click();
    await page.waitForURL(/\/deployments\/\d+$/);
    const id = Number(/\/deployments\/(\d+)$/.exec(page.url())![1]);
    await page.getByRole('heading', { name: /Deployment \d+/ }).waitFor();
    await expect
      .poll(() => page.getByRole('heading', { level: 1 }).textContent(), {
        timeout: 180_000,
        interval: 1000,
      })
      .toBe(`Deployment ${id} completed`);
    // The page updated itself; dpkg in each root has the new version.
    for (const name of ['lab-1', 'lab-2']) {
      expect((await dpkgStatus(labRoots.get(name)!)).get('pl-app')?.version, name).toBe('1.0-2');
      expect((await dpkgStatus(labRoots.get(name)!)).get('pl-broken')?.version, name).toBe('1.0-1');
    }
    const rings = await page.getByRole('list', { name: 'Rings' }).locator('li').allTextContents();
    expect(rings[0]).toMatch(/^pilot.*1 succeeded, 0 failed/);
    expect(rings[1]).toMatch(/^broad.*1 succeeded, 0 failed/);
    await page.getByRole('button', { name: 'Show log of lab-1' }).click();
    await expect.poll(() => page.getByLabel('Task log').textContent()).toContain('pl-app');
    await look('11-deployment-completed');
    const record = await page.request.get(`${server.url}/api/v1/deployments/${id}/record?format=csv`);
    expect(record.status()).toBe(200);
    expect(await record.text()).toContain('lab-2');
    await page.goto(`${server.url}/deployments`);
    await page.getByRole('link', { name: `Deployment ${id}` }).waitFor();
    await look('12-deployments');
  }, 240_000);

  it("deploys an update picked on a host's Updates tab; a failing install shows failed, with its log", async () => {
    const hosts = await api<{ items: { id: number }[] }>('/api/v1/hosts?q=lab-2');
    await page.goto(`${server.url}/hosts/${hosts.items[0]!.id}?tab=updates`);
    await page.getByRole('checkbox', { name: /^Select pl-broken 1\.0-2/ }).check();
    await page.getByRole('button', { name: 'Deploy selected now' }).click();
    await page.waitForURL(/\/deployments\/\d+$/);
    const heading = page.getByRole('heading', { level: 1 });
    await expect
      .poll(() => heading.textContent(), { timeout: 120_000, interval: 1000 })
      .toMatch(/halted|failed/);
    const row = page.getByRole('row', { name: /lab-2/ });
    expect(await row.textContent()).toContain('failed');
    await page.getByRole('button', { name: 'Show log of lab-2' }).click();
    await expect.poll(() => page.getByLabel('Task log').textContent()).toContain('pl-broken');
    // dpkg agrees: the broken version was tried and left half-configured, not installed.
    const broken = (await dpkgStatus(labRoots.get('lab-2')!)).get('pl-broken');
    expect(broken?.version).toBe('1.0-2');
    expect(broken?.status).not.toBe('install ok installed');
    await look('12b-deployment-failed');
  }, 180_000);

  it('approves an exception another person requested', async () => {
    // Requested by operator Ana (her own session); the console is signed in as admin. The
    // bootstrap admin token counts as user admin, so it could not be the other person.
    await api('/api/v1/users', {
      method: 'POST',
      body: JSON.stringify({ username: 'ana', password: 'ana-console-pw-0123', role: 'operator' }),
    });
    const session = await fetch(`${server.url}/api/v1/sessions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'ana', password: 'ana-console-pw-0123' }),
    });
    expect(session.status).toBe(201);
    const ana = client(server.url, ((await session.json()) as { token: string }).token);
    const x = await ana<{ id: number; status: string }>('/api/v1/exceptions', {
      method: 'POST',
      body: JSON.stringify({
        kind: 'compensating-control',
        package: 'pl-broken',
        justification: 'pl-broken is unreachable behind the lab firewall',
        expiresAt: new Date(Date.now() + 30 * 86_400_000).toISOString(),
      }),
    });
    expect(x.status).toBe('requested');
    await page.goto(`${server.url}/exceptions`);
    await page.getByRole('heading', { name: 'Exceptions', exact: true }).waitFor();
    await look('13-exceptions-requested');
    await page.getByRole('button', { name: `Approve exception ${x.id}` }).click();
    await expect
      .poll(async () => (await api<{ status: string }>(`/api/v1/exceptions/${x.id}`)).status)
      .toBe('approved');
    await expect
      .poll(() => page.getByRole('button', { name: `Revoke exception ${x.id}` }).isVisible())
      .toBe(true);
    const audit = await api<{ items: { actor: string; action: string }[] }>(
      `/api/v1/audit?target=exception:${x.id}`,
    );
    expect(audit.items.map((e) => [e.action, e.actor])).toContainEqual(['exception.approve', 'user:admin']);
    await look('14-exceptions-approved');
  });

  it("edits a host's criticality: the host is re-assessed and the change is in its audit trail", async () => {
    const hosts = await api<{ items: { id: number }[] }>('/api/v1/hosts?q=buster-b');
    const id = hosts.items[0]!.id;
    const riskOf = async () =>
      (
        await api<{ items: { risk: { score: number } | null }[] }>(
          `/api/v1/hosts/${id}/findings?sort=risk&limit=1`,
        )
      ).items[0]?.risk?.score ?? 0;
    const before = await riskOf();
    await page.goto(`${server.url}/hosts/${id}`);
    await page.getByRole('button', { name: 'Edit buster-b' }).click();
    const form = page.getByRole('form', { name: 'Edit buster-b' });
    await form.getByLabel('Criticality').selectOption('tier0');
    await form.getByLabel('Internet-facing').check();
    await form.getByRole('button', { name: 'Save host' }).click();
    await expect.poll(() => page.getByText('tier0').first().isVisible()).toBe(true);
    expect(await api<{ criticality: string; internetFacing: boolean }>(`/api/v1/hosts/${id}`)).toMatchObject({
      criticality: 'tier0',
      internetFacing: true,
    });
    await expect.poll(riskOf, { timeout: 30_000 }).toBeGreaterThan(before);
    await page.getByRole('tab', { name: 'Audit trail' }).click();
    await expect
      .poll(() => page.getByRole('table', { name: 'Audit events' }).textContent())
      .toContain('host.edit');
    await look('14b-host-edited');
  });

  it('shows the other pages: vulnerabilities, remediation, audit log, settings', async () => {
    for (const [path, heading, name] of [
      ['/vulnerabilities', 'Vulnerabilities', '15-vulnerabilities'],
      ['/remediation', 'Remediation', '16-remediation'],
      ['/audit', 'Audit log', '17-audit'],
      ['/settings', 'Settings', '18-settings'],
    ] as const) {
      await page.goto(`${server.url}${path}`);
      await page.getByRole('heading', { name: heading, exact: true }).waitFor();
      await look(name);
    }
    const feeds = await page
      .getByRole('table', { name: 'Feed status' })
      .locator('tbody tr')
      .allTextContents();
    expect(feeds.some((r) => r.startsWith('kev'))).toBe(true);
    // The secret is never shown back (PATCHLOOP_ENROLL_SECRET sets it here): the command says where it goes.
    const command = await page.getByLabel('Enrollment command').textContent();
    expect(command).toContain('PATCHLOOP_ENROLL_SECRET=<enrollment-secret> patchloop agent --server');
    expect(command).not.toContain(SECRET);
    await page.getByText('set by PATCHLOOP_ENROLL_SECRET on the server').waitFor();
  });

  it('works at laptop size, and no page has a serious accessibility violation', async () => {
    await page.setViewportSize({ width: 1366, height: 768 });
    await page.goto(`${server.url}/`);
    await page.getByRole('heading', { name: 'Dashboard', exact: true }).waitFor();
    // Keyboard: the first Tab reaches the skip link, which moves focus to the content.
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Skip to content');
    await page.keyboard.press('Enter');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('main');
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await look('19-dashboard-laptop');
    // The lists fit the window: the findings table shows every column without scrolling sideways.
    await page.goto(`${server.url}/findings?status=open`);
    const table = page.getByRole('region', { name: 'Findings' });
    await table.waitFor();
    expect(await table.evaluate((e) => e.scrollWidth - e.clientWidth)).toBeLessThanOrEqual(0);
    // Export CSV carries the filters and the session: every open finding, not one page.
    const href = await page.getByRole('link', { name: /^Export CSV/ }).getAttribute('href');
    expect(href).toBe('/api/v1/findings?status=open&sort=risk&format=csv');
    const csv = await page.request.get(`${server.url}${href}`);
    expect(csv.headers()['content-type']).toBe('text/csv; charset=utf-8');
    const open = await api<{ total: number }>('/api/v1/findings?status=open&limit=1');
    expect((await csv.text()).trimEnd().split('\r\n')).toHaveLength(open.total + 1);
    // A finding's "request exception" opens the form filled in, its host by name.
    await page
      .getByRole('link', { name: /^Request ?Exception ?for / })
      .first()
      .click();
    const form = page.getByRole('form', { name: 'Request an exception' });
    await form.waitFor();
    expect(await form.getByLabel('Advisory or CVE').inputValue()).toMatch(/^(DSA|DLA|ALPINE|CVE)/);
    await expect.poll(() => form.locator('.host-picked strong').textContent()).not.toMatch(/^#/);
    await look('20-exception-from-finding');
    for (const [path, heading] of [
      ['/remediation', 'Remediation'],
      ['/audit', 'Audit log'],
      ['/policies/console-lab', 'console-lab'],
    ] as const) {
      await page.goto(`${server.url}${path}`);
      await page.getByRole('heading', { name: heading, exact: true }).waitFor();
      if (path.startsWith('/policies/')) {
        await page.getByRole('button', { name: 'Simulate' }).click();
        await page.getByRole('table', { name: 'What each host would get' }).waitFor();
      }
      const wider = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      expect(wider, path).toBeLessThanOrEqual(0);
      await look(`21-laptop${path.replace(/\//g, '-')}`);
    }
    expect(a11y).toEqual({});
  });

  it('signs out: the session ends on the server too', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    const r = await page.request.get(`${server.url}/api/v1/hosts`);
    expect(r.status()).toBe(401);
  });
});
