/**
 * `apt-get -s dist-upgrade` (a simulation: nothing is changed, no root needed
 * with Debug::NoLocking). Each package apt would install is one line
 *
 *   Inst NAME [INSTALLED] (CANDIDATE ORIGIN:RELEASE/SUITE[, …] [ARCH]) [extra]
 *
 * where `[INSTALLED]` is absent for a package new to the host and there is one
 * origin per archive that carries the candidate, e.g.
 * `Debian:12.15/oldstable, Debian-Security:12/oldstable-security`. Other lines
 * (Conf, Remv, the summary) are not updates and are skipped; an `Inst` line
 * that does not have this shape is a warning.
 *
 * Security: an origin whose suite (pocket) ends in "-security"
 * (bookworm-security, jammy-security) or whose origin is "Debian-Security" or
 * ends in "-security". The repository reported is that origin's suite when
 * there is one, else the first origin's.
 */
import type { Parsed, CollectedUpdate } from '../wire-package.js';

const INST = /^Inst (\S+)(?: \[([^\]\s]+)\])? \((\S+)(?: (.*?))? \[([^\]\s]+)\]\)(?: .*)?$/;

interface Origin {
  text: string;
  suite: string | null;
  security: boolean;
}

function parseOrigin(text: string): Origin {
  const slash = text.lastIndexOf('/');
  const suite = slash >= 0 && slash < text.length - 1 ? text.slice(slash + 1) : null;
  const colon = text.indexOf(':');
  const origin = (colon >= 0 ? text.slice(0, colon) : text).toLowerCase();
  const security = (suite !== null && /(^|-)security$/i.test(suite)) || /(^|-)security$/.test(origin);
  return { text, suite, security };
}

export function parseAptSimulation(text: string): Parsed<CollectedUpdate> {
  const items: CollectedUpdate[] = [];
  const warnings: string[] = [];
  const seen = new Set<string>();
  text.split('\n').forEach((raw, i) => {
    const line = raw.replace(/\r$/, '');
    if (!line.startsWith('Inst ')) return;
    const m = INST.exec(line);
    if (m === null) {
      warnings.push(
        `apt-get -s line ${i + 1}: not "Inst name [old] (new origin [arch])": ${line.slice(0, 120)}`,
      );
      return;
    }
    const [, rawName = '', installed, candidate = '', originText = '', arch = ''] = m;
    const name = rawName.includes(':') ? rawName.slice(0, rawName.indexOf(':')) : rawName;
    const origins = originText
      .split(', ')
      .map((o) => o.trim())
      .filter((o) => o !== '')
      .map(parseOrigin);
    const chosen = origins.find((o) => o.security) ?? origins[0];
    const security = chosen?.security ?? false;
    const key = `${name}\t${arch}`;
    if (seen.has(key)) return;
    seen.add(key);
    items.push({
      name,
      arch,
      installedVersion: installed ?? null,
      candidateVersion: candidate,
      repository: chosen === undefined ? null : (chosen.suite ?? chosen.text).slice(0, 512),
      security,
      advisoryIds: [],
      classification: security ? 'security' : null,
    });
  });
  return { items, warnings };
}
