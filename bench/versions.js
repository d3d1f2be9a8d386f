// Version comparisons per second for each scheme, on realistic pairs built
// from the shared fixtures (installed versions against the fixed versions of
// advisories, and near neighbours), and our SemVer against the semver package.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import nodeSemver from 'semver';
import { apk, debian, rpm, semver } from '@patchloop/core';

function csv(file) {
  const [head, ...lines] = readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l !== '');
  const cols = head.split(',');
  return lines.map((l) => Object.fromEntries(l.split(',').map((v, i) => [cols[i], v])));
}

/** Deterministic pairs: each version against its sorted neighbour and a pseudo-random partner. */
function pairsFrom(versions, scheme) {
  const valid = [...new Set(versions)].filter((v) => v && scheme.validate(v) === null);
  valid.sort(scheme.compare);
  const pairs = [];
  let x = 12345;
  for (let i = 0; i < valid.length; i++) {
    pairs.push([valid[i], valid[(i + 1) % valid.length]]);
    x = (x * 1103515245 + 12345) & 0x7fffffff;
    pairs.push([valid[i], valid[x % valid.length]]);
  }
  return pairs;
}

function inventoryVersions(fixtures, ecosystems) {
  const dir = join(fixtures, 'inventories', 'normalized');
  const out = [];
  for (const f of readdirSync(dir).filter((n) => n.endsWith('.csv'))) {
    for (const r of csv(join(dir, f)))
      if (ecosystems.includes(r.ecosystem)) out.push(r.version, r.source_version);
  }
  return out;
}

function realPairs(fixtures) {
  const debianVersions = inventoryVersions(fixtures, ['deb']);
  for (const list of ['DSA.json', 'DLA.json']) {
    for (const e of JSON.parse(readFileSync(join(fixtures, 'debian-security-tracker', list), 'utf8'))) {
      for (const f of e.fixed) if (f.fixed_version) debianVersions.push(f.fixed_version);
    }
  }
  const rpmVersions = inventoryVersions(fixtures, ['rpm']).map((v) => v);
  const almaDir = join(fixtures, 'osv-almalinux', 'almalinux9');
  for (const f of readdirSync(almaDir).slice(0, 600)) {
    const rec = JSON.parse(readFileSync(join(almaDir, f), 'utf8'));
    for (const a of rec.affected ?? [])
      for (const r of a.ranges ?? [])
        for (const ev of r.events ?? []) if (ev.fixed) rpmVersions.push(ev.fixed);
  }
  const apkVersions = inventoryVersions(fixtures, ['apk']);
  for (const r of csv(
    join(fixtures, 'version-compare', 'osv-scalibr-semantic', 'alpine-versions-generated.csv'),
  ))
    apkVersions.push(r.left, r.right);
  const semverVersions = [];
  for (const r of csv(join(fixtures, 'version-compare', 'semver', 'semver_compare.csv')))
    if (r.loose === 'false') semverVersions.push(r.left, r.right);
  for (const r of csv(join(fixtures, 'version-compare', 'osv-scalibr-semantic', 'semver-versions.csv')))
    semverVersions.push(r.left, r.right);
  return {
    debian: pairsFrom(debianVersions, debian),
    rpm: pairsFrom(rpmVersions, rpm),
    apk: pairsFrom(apkVersions, apk),
    semver: pairsFrom(semverVersions, semver),
  };
}

/** Best of `rounds` timed rounds of at least `minMs` each: comparisons per second. */
function measure(pairs, cmp, { rounds = 5, minMs = 400 } = {}) {
  let sink = 0;
  let best = 0;
  for (let r = 0; r < rounds + 1; r++) {
    let n = 0;
    const start = process.hrtime.bigint();
    let elapsed;
    do {
      for (let i = 0; i < pairs.length; i++) sink += cmp(pairs[i][0], pairs[i][1]);
      n += pairs.length;
      elapsed = Number(process.hrtime.bigint() - start) / 1e6;
    } while (elapsed < minMs);
    if (r > 0) best = Math.max(best, (n / elapsed) * 1000); // round 0 warms up the JIT
  }
  if (sink === 0.5) console.log(''); // keep the loop observable
  return best;
}

export function runVersionBench(fixtures) {
  const pairs = realPairs(fixtures);
  const rows = [];
  for (const [name, scheme] of Object.entries({ debian, rpm, apk, semver })) {
    const p = pairs[name];
    const opsPerSec = measure(p, scheme.compare);
    rows.push({ name, pairs: p.length, opsPerSec });
    console.log(`${name.padEnd(8)} ${p.length} pairs  ${(opsPerSec / 1e6).toFixed(2)} M comparisons/s`);
  }
  const theirs = measure(pairs.semver, (a, b) => nodeSemver.compare(a, b));
  console.log(`semver package ${(theirs / 1e6).toFixed(2)} M comparisons/s`);
  return { rows, nodeSemver: theirs };
}
