/**
 * Installing the agent on other machines: the built agent found in the downloads directory
 * (packaging/build-agent.js writes it), the installer script the server serves at /install.sh
 * with the server's URL and each tarball's SHA-256 in it, and what a remote machine needs from
 * this server (a listen address it can reach, PATCHLOOP_PUBLIC_URL, TLS) for the banner and
 * the console's Settings.
 */
import { createHash } from 'node:crypto';
import { createReadStream, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { AGENT_DOWNLOAD_NAME } from '@patchloop/contracts';
import { PatchloopError } from '@patchloop/core';
import type { ServerConfig } from '../config.js';

/** The architectures the installer knows (uname -m → these), with the tarball of each. */
const ARCHES = ['x64', 'arm64'] as const;
type Arch = (typeof ARCHES)[number];
const tarballName = (arch: Arch) => `patchloop-agent-linux-${arch}.tar.gz`;
/** What /downloads/ serves: the built agent's files and nothing else. */
const DOWNLOAD_NAME = new RegExp(AGENT_DOWNLOAD_NAME);

export interface AgentArtifact {
  readonly arch: Arch;
  readonly file: string;
  readonly sha256: string;
}

const hashes = new Map<string, { mtimeMs: number; size: number; sha256: string }>();

function sha256Of(path: string, mtimeMs: number, size: number): string {
  const known = hashes.get(path);
  if (known && known.mtimeMs === mtimeMs && known.size === size) return known.sha256;
  const sha256 = createHash('sha256').update(readFileSync(path)).digest('hex');
  hashes.set(path, { mtimeMs, size, sha256 });
  return sha256;
}

/** The agent tarballs in `dir`, one per architecture built (hashed once per file version). */
export function agentArtifacts(dir: string | undefined): AgentArtifact[] {
  if (dir === undefined) return [];
  const out: AgentArtifact[] = [];
  for (const arch of ARCHES) {
    const file = tarballName(arch);
    const st = statSync(join(dir, file), { throwIfNoEntry: false });
    if (st?.isFile()) out.push({ arch, file, sha256: sha256Of(join(dir, file), st.mtimeMs, st.size) });
  }
  return out;
}

function notBuilt(what: string, dir: string | undefined): PatchloopError {
  return new PatchloopError(
    'PL_AGENT_ARTIFACT_MISSING',
    `${what} is not available: the agent is not built on this server${dir ? ` (nothing in ${dir})` : ''}; run \`npm run build:agent\` where the server runs, or set PATCHLOOP_DOWNLOADS_DIR to the directory it wrote`,
  );
}

/** A file of the downloads directory to stream, or a 404 naming what is there. */
export function openDownload(dir: string | undefined, name: string) {
  const st =
    dir !== undefined && DOWNLOAD_NAME.test(name)
      ? statSync(join(dir, name), { throwIfNoEntry: false })
      : undefined;
  if (dir === undefined || !st?.isFile()) {
    const present = dir === undefined ? [] : listDownloads(dir);
    if (present.length === 0) throw notBuilt(`/downloads/${name}`, dir);
    throw new PatchloopError('PL_NOT_FOUND', `no download ${name}; there are: ${present.join(', ')}`);
  }
  return { size: st.size, stream: createReadStream(join(dir, name)) };
}

/** The .deb and .rpm packages of the agent in `dir`. */
export function agentPackages(dir: string | undefined): string[] {
  return dir === undefined ? [] : listDownloads(dir).filter((f) => /\.(deb|rpm)$/.test(f));
}

function listDownloads(dir: string): string[] {
  try {
    return readdirSync(dir)
      .filter((f) => DOWNLOAD_NAME.test(f))
      .sort();
  } catch {
    return [];
  }
}

/** `'…'` for sh: the value as one word, whatever it holds. */
export function shQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

let body: string | undefined;
function installerBody(): string {
  // packages/server/install/install.sh, from src/services or dist/services alike.
  body ??= readFileSync(new URL('../../install/install.sh', import.meta.url), 'utf8');
  return body;
}

/** The installer for this server: the values it needs, then the script. */
export function installScript(opts: {
  server: string;
  version: string;
  artifacts: readonly AgentArtifact[];
  downloadsDir: string | undefined;
}): string {
  if (opts.artifacts.length === 0) throw notBuilt('the installer', opts.downloadsDir);
  const header = [
    '#!/bin/sh',
    `# Patchloop agent installer, served by ${opts.server}/install.sh`,
    `PATCHLOOP_SERVER=${shQuote(opts.server)}`,
    `AGENT_VERSION=${shQuote(opts.version)}`,
    ...opts.artifacts.flatMap((a) => [
      `ARTIFACT_${a.arch.toUpperCase()}=${shQuote(a.file)}`,
      `SHA256_${a.arch.toUpperCase()}=${shQuote(a.sha256)}`,
    ]),
  ];
  return `${header.join('\n')}\n\n${installerBody()}`;
}

const HOST_HEADER = /^(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/;

/**
 * The URL agents reach this server at: PATCHLOOP_PUBLIC_URL when set, otherwise the address the
 * caller used (its Host header, when it is a plain host[:port]), otherwise the listen address.
 */
export function serverUrlFor(config: ServerConfig, req: { protocol: string; host: string | undefined }) {
  if (config.publicUrl) return config.publicUrl;
  const host = req.host !== undefined && HOST_HEADER.test(req.host) ? req.host : null;
  return `${req.protocol}://${host ?? `${config.host}:${config.port}`}`;
}

/**
 * The URL shown to admins in enrollment commands: PATCHLOOP_PUBLIC_URL, else the listen address
 * (remoteAgentNotes then says PATCHLOOP_PUBLIC_URL is not set). Never a request's Host header: a
 * proxy or a forged request would put another server's URL in a command an admin copies.
 */
export function configuredServerUrl(config: ServerConfig): string {
  if (config.publicUrl) return config.publicUrl;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  return `http://${host}:${config.port}`;
}

/** Stands for the enrollment secret in commands shown when the secret itself is not known. */
export const SECRET_PLACEHOLDER = '<enrollment-secret>';

/** The one line that installs and enrolls the agent on another machine. */
export function installCommand(server: string, secret: string): string {
  return `curl -fsSL ${server}/install.sh | sudo sh -s -- --enroll-token ${secret}`;
}

const LOOPBACK = /^(?:127\.\d+\.\d+\.\d+|::1|localhost)$/;

/**
 * The warning a server listening beyond loopback over plain HTTP deserves, unless
 * PATCHLOOP_PUBLIC_URL says clients reach it through https (a TLS proxy in front); else null.
 * Passwords, session cookies, enrollment secrets and agent credentials would cross the network
 * in clear text.
 */
export function plainHttpWarning(config: ServerConfig): string | null {
  if (LOOPBACK.test(config.host) || config.publicUrl?.startsWith('https:')) return null;
  return `the server listens on ${config.host} over plain HTTP and PATCHLOOP_PUBLIC_URL is not https: passwords, session cookies, enrollment secrets and agent credentials cross the network unencrypted. Put a TLS reverse proxy in front and set PATCHLOOP_PUBLIC_URL to its https:// URL (the session cookie is then Secure).`;
}

/** What stands between this server and an agent on another machine, in words for people. */
export function remoteAgentNotes(config: ServerConfig, server: string, installerReady: boolean): string[] {
  const notes: string[] = [];
  if (LOOPBACK.test(config.host)) {
    notes.push(
      `The server listens on ${config.host} only: other machines cannot reach it. Start it with --host 0.0.0.0 (or PATCHLOOP_HOST) behind a firewall or a reverse proxy.`,
    );
  }
  if (!config.publicUrl) {
    notes.push(
      "PATCHLOOP_PUBLIC_URL is not set: the URL shown is the address this server listens on (a request's Host header is not trusted for it). Set it to the URL other machines reach the server at.",
    );
  }
  if (server.startsWith('http://')) {
    notes.push(
      'The URL is plain http: enrollment secrets and agent credentials cross the network unencrypted. Put a TLS reverse proxy (nginx, Caddy, HAProxy) in front and set PATCHLOOP_PUBLIC_URL to its https:// URL.',
    );
  }
  if (!installerReady) {
    notes.push(
      'The agent is not built on this server, so /install.sh answers 404: run `npm run build:agent` (or set PATCHLOOP_DOWNLOADS_DIR).',
    );
  }
  return notes;
}
