/**
 * Installing the agent on another machine, through the real app: /install.sh with this server's
 * URL and the tarball's SHA-256, run by the real sh for what it checks before it installs
 * anything; /downloads/ serving the built files and nothing else; the enrollment settings saying
 * what a remote machine needs. (The installer's full run, in a Debian root: cli's
 * install.e2e.test.ts.)
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENROLL_SECRET, startHarness, type Harness } from './harness.js';

const dir = mkdtempSync(join(tmpdir(), 'pl-downloads-'));
const TARBALL = 'patchloop-agent-linux-x64.tar.gz';

/** Runs the served script with the real sh, as `curl … | sh -s -- args` would. */
function runScript(script: string, args: string[]) {
  return spawnSync('sh', ['-s', '--', ...args], { input: script, encoding: 'utf8', timeout: 10_000 });
}

describe('the agent installer and downloads', () => {
  let built: Harness;
  let bare: Harness;
  let behindProxy: Harness;
  let tarball: Buffer;

  beforeAll(async () => {
    const stage = join(dir, 'stage/patchloop-agent');
    mkdirSync(stage, { recursive: true });
    writeFileSync(join(stage, 'VERSION'), '0.1.0\n');
    spawnSync('tar', ['-czf', join(dir, TARBALL), '-C', join(dir, 'stage'), 'patchloop-agent']);
    tarball = readFileSync(join(dir, TARBALL));
    writeFileSync(join(dir, 'patchloop-agent_0.1.0_amd64.deb'), 'not really a package');
    built = await startHarness('pglite', { config: { downloadsDir: dir } });
    bare = await startHarness('pglite', { config: { downloadsDir: join(dir, 'nothing-here') } });
    behindProxy = await startHarness('pglite', {
      config: { downloadsDir: dir, publicUrl: 'https://patchloop.example.com', host: '0.0.0.0' },
    });
  });
  afterAll(async () => {
    await Promise.all([built?.close(), bare?.close(), behindProxy?.close()]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves an installer naming this server and the tarball with its SHA-256', async () => {
    const r = await built.app.inject({
      method: 'GET',
      url: '/install.sh',
      headers: { host: 'patchloop.example:8443' },
    });
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-type']).toMatch(/^text\/x-shellscript/);
    expect(r.body.startsWith('#!/bin/sh\n')).toBe(true);
    expect(r.body).toContain("PATCHLOOP_SERVER='http://patchloop.example:8443'\n");
    expect(r.body).toContain(`ARTIFACT_X64='${TARBALL}'\n`);
    const sha = createHash('sha256').update(tarball).digest('hex');
    expect(r.body).toContain(`SHA256_X64='${sha}'\n`);
    expect(spawnSync('sh', ['-n'], { input: r.body }).status).toBe(0);
    const help = runScript(r.body, ['--help']);
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('for the server http://patchloop.example:8443');
  });

  it('uses PATCHLOOP_PUBLIC_URL, and never a Host header that is not a plain host[:port]', async () => {
    const proxied = await behindProxy.app.inject({
      method: 'GET',
      url: '/install.sh',
      headers: { host: 'internal:8080' },
    });
    expect(proxied.body).toContain("PATCHLOOP_SERVER='https://patchloop.example.com'\n");
    const forged = await built.app.inject({
      method: 'GET',
      url: '/install.sh',
      headers: { host: "x'$(touch /tmp/pwned)'" },
    });
    expect(forged.statusCode).toBe(200);
    expect(forged.body).toContain("PATCHLOOP_SERVER='http://127.0.0.1:8080'\n");
  });

  it('refuses tokens, tags and server URLs outside their character sets before touching anything', async () => {
    const script = (await built.app.inject({ method: 'GET', url: '/install.sh' })).body;
    const cases: [string[], RegExp][] = [
      [['--enroll-token', 'abc;rm -rf /tmp/x'], /token has characters outside/],
      [['--enroll-token', 'short'], /shorter than 16/],
      [[], /give the enrollment secret/],
      [['--enroll-token', ENROLL_SECRET, '--tags', 'a,$(id)'], /tags are words/],
      [['--enroll-token', ENROLL_SECRET, '--server', "http://x'y"], /server URL has characters/],
      [['--enroll-token', ENROLL_SECRET, '--server', 'ftp://x'], /must start with http/],
      [['--bogus'], /unknown argument: --bogus/],
    ];
    for (const [args, message] of cases) {
      const r = runScript(script, args);
      expect(r.status, args.join(' ')).toBe(1);
      expect(r.stderr).toMatch(message);
    }
  });

  it('serves the built files as they are, and only those', async () => {
    const r = await built.app.inject({ method: 'GET', url: `/downloads/${TARBALL}` });
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-length']).toBe(String(tarball.length));
    expect(Buffer.compare(r.rawPayload, tarball)).toBe(0);
    const missing = await built.app.inject({
      method: 'GET',
      url: '/downloads/patchloop-agent-linux-s390x.tar.gz',
    });
    expect(missing.statusCode).toBe(404);
    expect(missing.json().error.code).toBe('PL_NOT_FOUND');
    expect(missing.json().error.message).toContain(TARBALL);
    for (const url of ['/downloads/..%2Fpackage.json', '/downloads/.patchloop-agent-x', '/downloads/stage']) {
      const bad = await built.app.inject({ method: 'GET', url });
      expect(bad.statusCode, url).toBe(400);
    }
  });

  it('answers 404 PL_AGENT_ARTIFACT_MISSING, saying how to build it, when the agent is not built', async () => {
    for (const url of ['/install.sh', `/downloads/${TARBALL}`]) {
      const r = await bare.app.inject({ method: 'GET', url });
      expect(r.statusCode, url).toBe(404);
      expect(r.json().error.code).toBe('PL_AGENT_ARTIFACT_MISSING');
      expect(r.json().error.message).toContain('npm run build:agent');
    }
  });

  it('tells admins the installer line and what a remote machine still needs', async () => {
    const get = (h: Harness) =>
      h.app
        .inject({
          method: 'GET',
          url: '/api/v1/settings/enrollment',
          headers: { ...h.auth('admin'), host: '127.0.0.1:8080' },
        })
        .then(
          (r) => r.json().install as { server: string; command: string; ready: boolean; notes: string[] },
        );
    const local = await get(bare);
    expect(local.command).toBe(
      `curl -fsSL http://127.0.0.1:8080/install.sh | sudo sh -s -- --enroll-token <enrollment-secret>`,
    );
    expect(local.ready).toBe(false);
    expect(local.notes.join('\n')).toMatch(/listens on 127\.0\.0\.1 only/);
    expect(local.notes.join('\n')).toMatch(/PATCHLOOP_PUBLIC_URL is not set/);
    expect(local.notes.join('\n')).toMatch(/plain http/);
    expect(local.notes.join('\n')).toMatch(/npm run build:agent/);
    const remote = await get(behindProxy);
    expect(remote).toEqual({
      server: 'https://patchloop.example.com',
      command: `curl -fsSL https://patchloop.example.com/install.sh | sudo sh -s -- --enroll-token <enrollment-secret>`,
      ready: true,
      files: ['patchloop-agent_0.1.0_amd64.deb'],
      notes: [],
    });
  });
});
