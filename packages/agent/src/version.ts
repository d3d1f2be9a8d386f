/**
 * The agent's version, read from its package.json (never written out in the
 * code). The bundled agent (packaging/build-agent.js) has no package.json
 * beside it: the bundler writes the version in for PATCHLOOP_BUNDLED_VERSION.
 */
import { readFileSync } from 'node:fs';

declare const PATCHLOOP_BUNDLED_VERSION: string | undefined;

function agentVersion(): string {
  if (typeof PATCHLOOP_BUNDLED_VERSION === 'string') return PATCHLOOP_BUNDLED_VERSION;
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return pkg.version;
}

export const AGENT_VERSION = agentVersion();
