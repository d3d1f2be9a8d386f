// The simulated fleet of the scale harness (scale.js): the fleet benchmark's
// five base inventories and version spread (fleet-data.js), each host as the
// agent protocol carries it — enrollment, one full inventory (with the
// updates its package manager would offer), heartbeats — plus the synthetic
// advisory the harness imports, and a host's inventory as `patchloop scan`
// reads it. Agent i is a pure function of i.
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { canonicalInventory, formatInventoryJson } from '@patchloop/core';
import { IMPORTERS } from '@patchloop/feeds';
import { ADVISORY_SETS, buildBases, fleet, readFixtureFiles } from './fleet-data.js';

export const AGENT_VERSION = '0.1.0';
const sha256 = (s) => createHash('sha256').update(s).digest('hex');

const wire = (p) => ({
  name: p.name,
  version: p.version,
  arch: p.arch ?? '',
  sourceName: p.sourceName,
  sourceVersion: p.sourceVersion,
  vendor: p.vendor ?? null,
  ...(p.epochKnown === false ? { epochKnown: false } : {}),
});

/** The advisories fleet-data pads the bases with (parsed once, as the fleet benchmark does). */
async function fixtureAdvisories(fixtures) {
  const out = [];
  for (const [source, rel] of ADVISORY_SETS) {
    const errors = [];
    const files = await readFixtureFiles(join(fixtures, rel), IMPORTERS[source].accept, errors);
    const r = IMPORTERS[source].parse(files);
    if (r.batch) out.push(...r.batch.records);
  }
  return out;
}

export class ScaleFleet {
  static async create(fixtures, size) {
    return new ScaleFleet(buildBases(fixtures, await fixtureAdvisories(fixtures)), size);
  }

  constructor(bases, size) {
    this.bases = bases;
    this.size = size;
    this.gen = fleet(bases);
    this.wireBase = new Map(bases.map((b) => [b, b.packages.map(wire)]));
  }

  host(i) {
    return this.gen.host(i);
  }

  machineId(i) {
    return `scale-agent-${String(i).padStart(6, '0')}`;
  }

  hostname(i) {
    return `scale-${String(i).padStart(6, '0')}.${this.host(i).base.name}.example.internal`;
  }

  enrollBody(i, secret) {
    return JSON.stringify({
      secret,
      machineId: this.machineId(i),
      hostname: this.hostname(i),
      tags: ['scale', this.host(i).base.name],
    });
  }

  /**
   * What the package manager offers: a host lagging behind its base is offered the base's
   * version of each package it lags on (from the security pocket); the others nothing.
   */
  updatesOf(h) {
    if (h.drift >= 0) return [];
    const out = [];
    h.base.packages.forEach((p, k) => {
      const mine = h.inventory.packages[k];
      if (mine === p) return;
      out.push({
        name: p.name,
        arch: p.arch ?? '',
        installedVersion: mine.version,
        candidateVersion: p.version,
        repository: 'security',
        security: true,
        advisoryIds: [],
        classification: 'security',
      });
    });
    return out;
  }

  head(i, h) {
    const facts = {
      hostname: this.hostname(i),
      os: h.base.os,
      arch: h.base.packages[0]?.arch ?? null,
      kernel: { running: null, newestInstalled: null },
      reboot: { required: false, reasons: [], packages: [] },
    };
    const json = JSON.stringify({ agentVersion: AGENT_VERSION, machineId: this.machineId(i), facts });
    return `${json.slice(0, -1)},"inventory":`;
  }

  /** The first check-in: the full inventory and its updates. Returns { body, hash }. */
  fullBody(i) {
    const h = this.host(i);
    const base = this.wireBase.get(h.base);
    const packages =
      h.inventory.packages === h.base.packages
        ? base
        : h.inventory.packages.map((p, k) => (p === h.base.packages[k] ? base[k] : wire(p)));
    const updates = this.updatesOf(h);
    const hash = sha256(canonicalInventory(h.base.manager, packages, updates));
    const inv = { kind: 'full', hash, manager: h.base.manager, packages, updates };
    return { hash, body: `${this.head(i, h)}${JSON.stringify(inv)}}` };
  }

  heartbeatBody(i, hash) {
    return `${this.head(i, this.host(i))}{"kind":"same","hash":"${hash}"}}`;
  }

  /** Host i's inventory as `patchloop scan --inventory` reads it (Patchloop inventory JSON). */
  scanInventory(i) {
    const h = this.host(i);
    return formatInventoryJson({
      os: h.base.os,
      manager: h.base.manager,
      kernel: null,
      packages: h.inventory.packages.map(wire),
    });
  }
}

// The synthetic advisory: Ubuntu 18.04 and Alpine 3.10 hosts (≈ 20 % of the fleet), on a source package
// every host of those bases has, with a fix above any installed version (epoch 9 beats Ubuntu's epochs).
const SYNTHETIC_TARGETS = [
  { base: 'ubuntu1804', ecosystem: 'Ubuntu:18.04:LTS', fixed: '9:99.0-0ubuntu1' },
  { base: 'alpine310', ecosystem: 'Alpine:v3.10', fixed: '99.0-r0' },
];
const PREFERRED = ['zlib', 'openssl', 'musl', 'busybox', 'ncurses'];

/** An OSV record affecting ~20 % of the fleet: { id, json, targets: [{ base, package }] }. */
export function syntheticAdvisory(bases, id = `PLSCALE-${Date.now()}`) {
  const targets = SYNTHETIC_TARGETS.map((t) => {
    const base = bases.find((b) => b.name === t.base);
    const sources = new Set(base.packages.map((p) => p.sourceName));
    const pkg = PREFERRED.find((n) => sources.has(n)) ?? [...sources].sort()[0];
    return { ...t, package: pkg };
  });
  const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  const record = {
    schema_version: '1.7.0',
    id,
    summary: 'synthetic advisory of the scale harness',
    details: 'Imported by bench/scale.js to measure how fast an advisory reaches the hosts it affects.',
    aliases: [],
    published: now,
    modified: now,
    affected: targets.map((t) => ({
      package: { ecosystem: t.ecosystem, name: t.package },
      ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: t.fixed }] }],
    })),
  };
  return { id, json: JSON.stringify(record, null, 1), targets };
}

/** Hosts (indexes) the synthetic advisory affects: every host of a targeted base. */
export function affectedHosts(f, advisory) {
  const bases = new Set(advisory.targets.map((t) => t.base));
  const out = [];
  for (let i = 0; i < f.size; i++) if (bases.has(f.host(i).base.name)) out.push(i);
  return out;
}
