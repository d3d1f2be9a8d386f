/**
 * Installing the agent on a machine that is not the server, end to end: the agent is built
 * (packaging/build-agent.js: bundle + Node runtime, .deb, .rpm), a real `patchloop server`
 * serves it, and
 *   - the installer it serves runs inside a Debian bookworm root (debootstrap minbase, chroot:
 *     no curl or wget there, so it downloads with apt's helper), installs the agent, the unit
 *     (checked, not started: no systemd runs in a chroot) and enrolls: the credential is 0600,
 *     the host is in the API with the root's packages, and the unit's own command line checks
 *     in again as the same host; --uninstall removes everything;
 *   - the .deb installs with dpkg in another root, enrolls nothing by itself, and the agent
 *     checks in once /etc/patchloop-agent.env is set; purge removes it;
 *   - the .rpm lists the same files (rpm -qlp).
 * Slow (a build and two roots): run alone with `npx vitest run --project cli test/install.e2e.test.ts`.
 */
import { execFileSync } from 'node:child_process';
import {
  existsSync,
  lstatSync,
  readFileSync,
  readlinkSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import {
  dpkgStatus,
  findCommand,
  labUnavailable,
  makeHostRoot,
  removeHostRoot,
  runCommand,
  runInRoot,
  runInRootOk,
} from '@patchloop/agent/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { client, repoRoot, startServer, tempDir, waitFor, type Proc } from './fleet-lab.js';

const ADMIN = 'install-admin-token-0123456789';
const SECRET = 'install-enroll-secret-0123456789';
const why = labUnavailable();
if (why !== null) console.warn(`SKIPPED: installing the agent in a Debian root needs the lab: ${why}`);

interface HostRow {
  id: number;
  hostname: string;
  tags: string[];
  packageCount?: number;
}

const mode = (path: string) => statSync(path).mode & 0o777;
/** KEY=value lines of an environment file (comments and blank lines skipped). */
const envFile = (text: string) =>
  Object.fromEntries(
    text
      .split('\n')
      .filter((l) => /^[A-Z_]+=/.test(l))
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
  );
/** The unit's ExecStart as argv (it has no quoting). */
const execStart = (unit: string) => /^ExecStart=(.*)$/m.exec(unit)![1]!.trim().split(/\s+/);

describe.skipIf(why !== null)('installing the agent on another machine', () => {
  const work = tempDir('install');
  const out = join(work, 'downloads');
  let server: Proc & { url: string };
  let api: ReturnType<typeof client>;
  const roots: string[] = [];

  /** The host the API holds under this name, with its package count. */
  const host = async (name: string) => {
    const list = await api<{ items: HostRow[] }>(`/api/v1/hosts?q=${name}`);
    const h = list.items.find((x) => x.hostname === name);
    if (!h) return null;
    const pkgs = await api<{ total?: number; items: unknown[] }>(`/api/v1/hosts/${h.id}/packages`);
    return { ...h, packages: pkgs.total ?? pkgs.items.length };
  };
  /** The unit's command, with its environment file, inside the root, once. */
  const checkinAsTheUnit = (root: string, unitPath: string) => {
    const argv = execStart(readFileSync(join(root, unitPath), 'utf8'));
    const env = envFile(readFileSync(join(root, 'etc/patchloop-agent.env'), 'utf8'));
    return runInRoot(root, ['env', ...Object.entries(env).map(([k, v]) => `${k}=${v}`), ...argv, '--once']);
  };

  beforeAll(async () => {
    execFileSync(process.execPath, [join(repoRoot, 'packaging/build-agent.js'), '--out', out], {
      stdio: 'inherit',
    });
    server = await startServer(['--data-dir', join(work, 'data')], {
      PATCHLOOP_ADMIN_TOKEN: ADMIN,
      PATCHLOOP_ENROLL_SECRET: SECRET,
      PATCHLOOP_FEED_SYNC_INTERVAL: '0',
      PATCHLOOP_LOG_LEVEL: 'warn',
      PATCHLOOP_DOWNLOADS_DIR: out,
    });
    api = client(server.url, ADMIN);
  }, 600_000);

  afterAll(async () => {
    await server?.stop();
    for (const root of roots) await removeHostRoot(root);
    // The build is ~100 MB of runtime copies.
    rmSync(work, { recursive: true, force: true });
  }, 120_000);

  it('installs, enrolls and checks in from the served installer, and uninstalls', async () => {
    const root = await makeHostRoot('remote-1', { machineId: 'a1000000000000000000000000000001' });
    roots.push(root);
    // A minimal Debian has neither curl nor wget: the installer downloads with apt's helper.
    expect(existsSync(join(root, 'usr/bin/curl')) || existsSync(join(root, 'usr/bin/wget'))).toBe(false);
    const script = await (await fetch(`${server.url}/install.sh`)).text();

    // A tarball that is not the one the server announced is not installed.
    const forged = script.replace(/^SHA256_X64='[0-9a-f]{64}'$/m, `SHA256_X64='${'0'.repeat(64)}'`);
    expect(forged).not.toBe(script);
    const refused = await runInRoot(root, ['sh', '-s', '--', '--enroll-token', SECRET], { input: forged });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/has SHA-256 [0-9a-f]{64}, the server announced 0{64}: not installed/);
    expect(existsSync(join(root, 'opt/patchloop-agent'))).toBe(false);

    // As `curl -fsSL SERVER/install.sh | sudo sh -s -- …`, inside the machine.
    const r = await runInRoot(root, ['sh', '-s', '--', '--enroll-token', SECRET, '--tags', 'remote,lab'], {
      input: script,
      timeoutMs: 300_000,
    });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/checked in as host \d+/);
    expect(r.stderr).toContain('not started (no systemd running here');

    // The files: the runtime and bundle, the command, the unit (not enabled), the configuration.
    expect(existsSync(join(root, 'opt/patchloop-agent/node'))).toBe(true);
    expect(existsSync(join(root, 'opt/patchloop-agent/patchloop-agent.mjs'))).toBe(true);
    expect(readlinkSync(join(root, 'usr/bin/patchloop-agent'))).toBe('/opt/patchloop-agent/patchloop-agent');
    const unit = readFileSync(join(root, 'etc/systemd/system/patchloop-agent.service'), 'utf8');
    expect(unit).toBe(readFileSync(join(repoRoot, 'packaging/patchloop-agent.service'), 'utf8'));
    for (const line of [
      'ExecStart=/usr/bin/patchloop-agent --state-dir /var/lib/patchloop-agent',
      'EnvironmentFile=-/etc/patchloop-agent.env',
      'Restart=on-failure',
      'KillMode=process',
      'PrivateTmp=yes',
      'WantedBy=multi-user.target',
    ]) {
      expect(unit).toContain(`\n${line}\n`);
    }
    expect(existsSync(join(root, 'etc/systemd/system/multi-user.target.wants/patchloop-agent.service'))).toBe(
      false,
    );
    const env = readFileSync(join(root, 'etc/patchloop-agent.env'), 'utf8');
    expect(mode(join(root, 'etc/patchloop-agent.env'))).toBe(0o600);
    expect(envFile(env)).toEqual({ PATCHLOOP_SERVER: server.url });
    expect(env).not.toContain(SECRET);

    // The credential: in the state directory, 0600, of a directory 0700.
    expect(mode(join(root, 'var/lib/patchloop-agent'))).toBe(0o700);
    const credential = join(root, 'var/lib/patchloop-agent/enrollment.json');
    expect(mode(credential)).toBe(0o600);
    const enrollment = JSON.parse(readFileSync(credential, 'utf8')) as { hostId: number; credential: string };
    expect(enrollment.credential).toMatch(/^pla_/);

    // The server knows the host: its tags, and the packages dpkg has in the root.
    const installed = [...(await dpkgStatus(root)).values()].filter((p) => p.status.endsWith(' installed'));
    const h = await waitFor('the installed agent to be a host with its packages', async () => {
      const x = await host('remote-1');
      return x && x.packages > 0 ? x : null;
    });
    expect(h.id).toBe(enrollment.hostId);
    expect(h.tags).toEqual(expect.arrayContaining(['remote', 'lab']));
    expect(h.packages).toBe(installed.length);

    // The unit's own command line, with its environment file, checks in as the same host.
    const again = await checkinAsTheUnit(root, 'etc/systemd/system/patchloop-agent.service');
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain(`checked in as host ${h.id}`);

    const gone = await runInRoot(root, ['sh', '-s', '--', '--uninstall'], { input: script });
    expect(gone.code, gone.stderr).toBe(0);
    for (const path of [
      'opt/patchloop-agent',
      'etc/systemd/system/patchloop-agent.service',
      'etc/patchloop-agent.env',
      'var/lib/patchloop-agent',
    ]) {
      expect(existsSync(join(root, path)), path).toBe(false);
    }
    expect(() => lstatSync(join(root, 'usr/bin/patchloop-agent'))).toThrow();

    // --no-enroll (machine images): the secret waits in the 0600 file for the unit's first start.
    // A machine made from an image gets its own machine id at first boot: the same id as the
    // host enrolled above would need that host's proof (PL_ENROLL_HOST_EXISTS), not the secret.
    writeFileSync(join(root, 'etc/machine-id'), 'a1000000000000000000000000000003\n');
    const image = await runInRoot(root, ['sh', '-s', '--', '--enroll-token', SECRET, '--no-enroll'], {
      input: script,
      timeoutMs: 300_000,
    });
    expect(image.code, image.stderr).toBe(0);
    expect(envFile(readFileSync(join(root, 'etc/patchloop-agent.env'), 'utf8'))).toEqual({
      PATCHLOOP_SERVER: server.url,
      PATCHLOOP_ENROLL_SECRET: SECRET,
    });
    expect(existsSync(credential)).toBe(false);
    const first = await checkinAsTheUnit(root, 'etc/systemd/system/patchloop-agent.service');
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/checked in as host \d+/);
    expect(mode(credential)).toBe(0o600);
  }, 600_000);

  it('installs the .deb with dpkg without enrolling; the agent checks in once configured; purge removes it', async () => {
    const root = await makeHostRoot('remote-deb', { machineId: 'a1000000000000000000000000000002' });
    roots.push(root);
    const deb = readdirSync(out).find((f) => f.endsWith('.deb'))!;
    execFileSync('cp', [join(out, deb), join(root, 'tmp', deb)]);
    const r = await runInRootOk(root, ['dpkg', '-i', `/tmp/${deb}`]);
    expect(r.stderr).not.toMatch(/error/i);
    expect(existsSync(join(root, 'opt/patchloop-agent/node'))).toBe(true);
    const unitPath = 'lib/systemd/system/patchloop-agent.service';
    expect(readFileSync(join(root, unitPath), 'utf8')).toBe(
      readFileSync(join(repoRoot, 'packaging/patchloop-agent.service'), 'utf8'),
    );
    expect(mode(join(root, 'etc/patchloop-agent.env'))).toBe(0o600);
    expect(mode(join(root, 'var/lib/patchloop-agent'))).toBe(0o700);
    expect(readdirSync(join(root, 'var/lib/patchloop-agent'))).toEqual([]);
    expect(await host('remote-deb')).toBeNull();

    // Configured as the README says, the unit's command enrolls and checks in.
    writeFileSync(
      join(root, 'etc/patchloop-agent.env'),
      `PATCHLOOP_SERVER=${server.url}\nPATCHLOOP_ENROLL_SECRET=${SECRET}\n`,
    );
    const checkin = await checkinAsTheUnit(root, unitPath);
    expect(checkin.code, checkin.stderr).toBe(0);
    expect(mode(join(root, 'var/lib/patchloop-agent/enrollment.json'))).toBe(0o600);
    const h = await waitFor('the .deb agent to be a host', () => host('remote-deb'));
    expect(h.packages).toBeGreaterThan(50);

    await runInRootOk(root, ['dpkg', '--purge', 'patchloop-agent']);
    for (const path of [
      'opt/patchloop-agent',
      unitPath,
      'etc/patchloop-agent.env',
      'var/lib/patchloop-agent',
    ]) {
      expect(existsSync(join(root, path)), path).toBe(false);
    }
  }, 600_000);

  it.skipIf(findCommand('systemd-analyze') === null)(
    'ships a unit systemd reads without a warning',
    async () => {
      // verify wants ExecStart's binary to exist: the unit as shipped, pointing at one that does.
      const unit = readFileSync(join(repoRoot, 'packaging/patchloop-agent.service'), 'utf8');
      const file = join(work, 'patchloop-agent.service');
      writeFileSync(
        file,
        unit.replace('ExecStart=/usr/bin/patchloop-agent', `ExecStart=${process.execPath}`),
      );
      const r = await runCommand('systemd-analyze', ['verify', file]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toBe('');
    },
  );

  it.skipIf(findCommand('rpm') === null)('builds an .rpm of the same files', async () => {
    const rpm = readdirSync(out).find((f) => f.endsWith('.rpm'))!;
    const files = (await runCommand('rpm', ['-qlp', join(out, rpm)])).stdout.trim().split('\n');
    expect(files).toEqual(
      expect.arrayContaining([
        '/opt/patchloop-agent/node',
        '/opt/patchloop-agent/patchloop-agent.mjs',
        '/usr/bin/patchloop-agent',
        '/usr/lib/systemd/system/patchloop-agent.service',
        '/etc/patchloop-agent.env',
        '/var/lib/patchloop-agent',
      ]),
    );
    const scripts = (await runCommand('rpm', ['-qp', '--scripts', join(out, rpm)])).stdout;
    expect(scripts).not.toMatch(/patchloop-agent[^\n]*--once|ENROLL_SECRET=/);
    const config = (await runCommand('rpm', ['-qpc', join(out, rpm)])).stdout.trim();
    expect(config).toBe('/etc/patchloop-agent.env');
  });
});
