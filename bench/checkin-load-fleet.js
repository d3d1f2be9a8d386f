// The simulated fleet of the check-in load benchmark (checkin-load.js): one
// real Debian 12 host inventory as the base, a realistic version spread, and
// the request bodies each simulated agent sends. Agent i is a pure function
// of i; per-agent state is its credential, its acknowledged hash and its few
// package overrides (most agents have none).
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { canonicalInventory, parseInventoryCsv } from '@patchloop/core';

export const AGENT_VERSION = '0.1.0';
export const BASE_INVENTORY = 'inventories/normalized/debian12-bookworm-host.dpkg-status.csv';
const MANAGER = 'dpkg';
const DEB12U = /^(.*\+deb12u)(\d+)$/;

const sha256 = (s) => createHash('sha256').update(s).digest('hex');

/** A deterministic pseudo-random number in [0, 1) from integers (no shared PRNG state). */
export function rand(...xs) {
  let h = 2166136261;
  for (const x of xs) {
    h ^= x;
    h = Math.imul(h, 16777619);
    h ^= h >>> 13;
    h = Math.imul(h, 0x5bd1e995);
    h ^= h >>> 15;
  }
  return (h >>> 0) / 2 ** 32;
}

/** One Debian security revision back (`+deb12u4` → `+deb12u3`, `+deb12u1` → none), or null. */
function older(v) {
  const m = DEB12U.exec(v);
  if (!m) return null;
  const n = Number(m[2]);
  return n > 1 ? `${m[1]}${n - 1}` : m[1].slice(0, -'+deb12u'.length);
}

/** One Debian security revision ahead, as a point-release or security upgrade would install. */
function newer(v) {
  const m = DEB12U.exec(v);
  return m ? `${m[1]}${Number(m[2]) + 1}` : `${v}+deb12u1`;
}

function withVersion(p, version) {
  return {
    ...p,
    version,
    sourceVersion: p.sourceVersion === p.version ? version : p.sourceVersion,
  };
}

export class Fleet {
  constructor(fixtures, size) {
    const inv = parseInventoryCsv(readFileSync(join(fixtures, BASE_INVENTORY), 'utf8'));
    this.base = inv.packages.map((p) => ({
      name: p.name,
      version: p.version,
      arch: p.arch ?? '',
      sourceName: p.sourceName,
      sourceVersion: p.sourceVersion,
      vendor: null,
    }));
    this.size = size;
    this.indexOf = new Map(this.base.map((p, i) => [p.name, i]));
    // Packages that have had Debian security updates: the ones hosts lag on.
    this.patched = this.base
      .map((p, i) => [p, i])
      .filter(([p]) => DEB12U.test(p.version) && older(p.version));
    // A group of hosts that missed the last upgrade run: the same 8 packages one revision older.
    this.missed = this.patched.slice(0, 8).map(([, i]) => i);
    // Packages a fleet-wide `apt upgrade` touches during the mixed phase (shared new versions).
    const wanted = [
      'libssl3',
      'openssl',
      'libc6',
      'libc-bin',
      'curl',
      'libcurl4',
      'tzdata',
      'openssh-client',
    ];
    this.upgrades = wanted.filter((n) => this.indexOf.has(n)).map((n) => this.indexOf.get(n));
    this.baseJson = JSON.stringify(this.base);
    this.baseHash = this.hashOf(this.base);
    this.groups = { base: 0, missedUpgrade: 0, drift: 0, driftPackages: 0 };
  }

  hashOf(packages) {
    return sha256(canonicalInventory(MANAGER, packages, null));
  }

  /** Agent i's package overrides at start: index in base → package. */
  initialOverrides(i) {
    const r = rand(i, 1);
    const o = new Map();
    if (r < 0.93) {
      this.groups.base++;
    } else if (r < 0.97) {
      this.groups.missedUpgrade++;
      for (const k of this.missed) o.set(k, withVersion(this.base[k], older(this.base[k].version)));
    } else {
      this.groups.drift++;
      const n = 1 + Math.floor(rand(i, 2) * 5);
      for (let j = 0; j < n; j++) {
        const [p, k] = this.patched[Math.floor(rand(i, 3, j) * this.patched.length)];
        if (!o.has(k)) this.groups.driftPackages++;
        o.set(k, withVersion(p, older(p.version)));
      }
    }
    return o;
  }

  packagesOf(overrides) {
    if (overrides.size === 0) return this.base;
    return this.base.map((p, k) => overrides.get(k) ?? p);
  }

  machineId(i) {
    return `bench-agent-${String(i).padStart(6, '0')}`;
  }

  facts(i) {
    return {
      hostname: `bench-${String(i).padStart(6, '0')}.example.internal`,
      os: {
        id: 'debian',
        versionId: '12',
        codename: 'bookworm',
        prettyName: 'Debian GNU/Linux 12 (bookworm)',
      },
      arch: 'amd64',
      kernel: { running: '6.1.0-18-amd64', newestInstalled: '6.1.0-18-amd64' },
      reboot: { required: false, reasons: [], packages: [] },
    };
  }

  /** Everything of a check-in body before the inventory, as JSON text ending in `"inventory":`. */
  head(i) {
    const h = JSON.stringify({
      agentVersion: AGENT_VERSION,
      machineId: this.machineId(i),
      facts: this.facts(i),
    });
    return `${h.slice(0, -1)},"inventory":`;
  }

  /** The first check-in: the full inventory. Returns { body, hash }. */
  fullBody(agent) {
    const pkgs = this.packagesOf(agent.overrides);
    const hash = pkgs === this.base ? this.baseHash : this.hashOf(pkgs);
    const json = pkgs === this.base ? this.baseJson : JSON.stringify(pkgs);
    return {
      hash,
      body: `${agent.head}{"kind":"full","hash":"${hash}","manager":"${MANAGER}","packages":${json},"updates":null}}`,
    };
  }

  heartbeatBody(agent) {
    return `${agent.head}{"kind":"same","hash":"${agent.hash}"}}`;
  }

  /**
   * A diff as an `apt upgrade` of one or two packages would send: the
   * upgraded packages in full, nothing removed. Advances the agent's
   * expected state (overrides, next hash) without touching its acknowledged hash.
   */
  diff(agent, seed) {
    const n = 1 + Math.floor(rand(seed, 7) * 2);
    const start = Math.floor(rand(seed, 8) * this.upgrades.length);
    const added = [];
    for (let j = 0; j < n; j++) {
      const k = this.upgrades[(start + j) % this.upgrades.length];
      const cur = agent.overrides.get(k) ?? this.base[k];
      const next = withVersion(cur, newer(cur.version));
      agent.overrides.set(k, next);
      added.push(next);
    }
    const base = agent.expected;
    const hash = this.hashOf(this.packagesOf(agent.overrides));
    agent.expected = hash;
    const inv = { kind: 'diff', base, hash, manager: MANAGER, added, removed: [], updates: null };
    return { hash, body: `${agent.head}${JSON.stringify(inv)}}` };
  }
}
