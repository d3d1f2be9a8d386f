/**
 * Alpine secdb (one branch/repository document, JSON or YAML) → advisories. Pure.
 *
 * Granularity: one Advisory per vulnerability, as OSV's Alpine records (osv.dev's converter emits
 * `ALPINE-<CVE id>`, one record per CVE, one affected entry per branch and package). The id is
 * `ALPINE-CVE-2019-14904`; an entry with only a vendor id gives `ALPINE-XSA-207`. Per CVE is what
 * matching and explanation want: a finding names the CVE (the key for CVSS, KEV and EPSS), the
 * origin package and the fixed version, and the same CVE fixed in two packages is one advisory.
 * The secdb has no dates: published and modified are null.
 *
 * One document holds one branch; the same id occurs in the documents of other branches and
 * repositories. `mergeAlpineAdvisories` unions them into one advisory per id (merge.ts): call it
 * over all the files of an import before storing.
 *
 * affected (one per package of the document naming the id):
 * - ecosystem `Alpine`, release = `distroversion` as written (`v3.11`).
 * - packageKind `source`: secdb names the aports origin package (the APKBUILD directory, e.g.
 *   `openssl`, whose binary packages are `libcrypto1.1`, `libssl1.1`, …). A matcher must compare
 *   it with the installed package's origin (`o:` in /lib/apk/db/installed), as trivy does with
 *   SrcName and as osv.dev says with `purl …?arch=source`.
 * - a version key → status fixed, range introduced 0 / fixed v. The same id listed under several
 *   versions of one package (a fix on an older stream, then again after an upgrade: wireshark
 *   2.2.10-r0 and 2.4.2-r0) → the highest version, as OSV's union of ranges gives; the others are
 *   noted in details.
 * - the key "0" → not-affected, no range (the maintainers' way of saying "never affected"),
 *   unless the same package also lists the id under a real version.
 *
 * Errors (the rest of the document still parses):
 * - PL_FEED_JSON_INVALID: the text is neither JSON nor YAML.
 * - PL_FEED_SCHEMA_INVALID: a document, package or secfixes value of the wrong shape; a version
 *   with no list; an entry with a malformed CVE id (`CVE_2019-2426`) or no id at all.
 * - PL_FEED_VERSION_INVALID: a version key apk would reject (`4.8.0.-r1`, `2.7.16-33`); all the
 *   ids listed under it are skipped.
 */
import { schemeFor, type Advisory, type FeedRecordError, type ParseResult } from '@patchloop/core';
import { decodeSecdb, describe, isNone, isRecord } from './document.js';
import { readSecfixEntry } from './entry.js';
import { buildAdvisory, compareIds, type Sighting } from './merge.js';

const apk = schemeFor('apk');

interface Context {
  readonly file: string;
  readonly release: string;
  readonly repo: string | null;
  readonly errors: FeedRecordError[];
  /** primary id → what the document says about it. */
  readonly ids: Map<string, { aliases: Set<string>; sightings: Sighting[] }>;
}

export function parseAlpineSecdb(text: string, file: string): ParseResult<Advisory> {
  const errors: FeedRecordError[] = [];
  const decoded = decodeSecdb(text);
  if (!decoded.ok) {
    errors.push({ file, record: 'document', code: 'PL_FEED_JSON_INVALID', reason: decoded.reason });
    return { records: [], errors };
  }
  const doc = decoded.value;
  const schemaError = (record: string, reason: string): void => {
    errors.push({ file, record, code: 'PL_FEED_SCHEMA_INVALID', reason });
  };
  if (!isRecord(doc)) {
    schemaError('document', `expected a mapping, got ${describe(doc)}`);
    return { records: [], errors };
  }
  const release = doc['distroversion'];
  if (typeof release !== 'string' || release.trim() === '') {
    schemaError('document', `distroversion: expected the branch name, got ${describe(release)}`);
    return { records: [], errors };
  }
  const repo = typeof doc['reponame'] === 'string' && doc['reponame'] !== '' ? doc['reponame'] : null;
  const packages = isNone(doc['packages']) ? [] : doc['packages'];
  if (!Array.isArray(packages)) {
    schemaError('document', `packages: expected a list, got ${describe(packages)}`);
    return { records: [], errors };
  }
  const ctx: Context = { file, release: release.trim(), repo, errors, ids: new Map() };
  packages.forEach((entry: unknown, i: number) => readPackage(ctx, entry, i));

  const records = [...ctx.ids.entries()]
    .sort(([a], [b]) => compareIds(a, b))
    .map(([primary, { aliases, sightings }]) => buildAdvisory(primary, aliases, sightings));
  return { records, errors };
}

function readPackage(ctx: Context, entry: unknown, index: number): void {
  const pkg = isRecord(entry) ? entry['pkg'] : undefined;
  const name = isRecord(pkg) ? pkg['name'] : undefined;
  if (!isRecord(pkg) || typeof name !== 'string' || name.trim() === '') {
    const what = isRecord(pkg)
      ? `pkg.name: expected a package name, got ${describe(name)}`
      : 'expected {pkg: {name, secfixes}}';
    ctx.errors.push({ file: ctx.file, record: `#${index}`, code: 'PL_FEED_SCHEMA_INVALID', reason: what });
    return;
  }
  const secfixes = isNone(pkg['secfixes']) ? {} : pkg['secfixes'];
  if (!isRecord(secfixes)) {
    const reason = `secfixes: expected a mapping of versions, got ${describe(secfixes)}`;
    ctx.errors.push({ file: ctx.file, record: name, code: 'PL_FEED_SCHEMA_INVALID', reason });
    return;
  }
  for (const [version, list] of Object.entries(secfixes)) readFix(ctx, name.trim(), version.trim(), list);
}

function readFix(ctx: Context, pkg: string, version: string, list: unknown): void {
  const record = `${pkg} ${version}`;
  const report = (code: FeedRecordError['code'], reason: string): void => {
    ctx.errors.push({ file: ctx.file, record, code, reason });
  };
  if (isNone(list) || (Array.isArray(list) && list.length === 0)) {
    report('PL_FEED_SCHEMA_INVALID', 'no vulnerability ids listed for this version');
    return;
  }
  if (!Array.isArray(list)) {
    report('PL_FEED_SCHEMA_INVALID', `expected a list of ids, got ${describe(list)}`);
    return;
  }
  const notAffected = version === '0';
  if (!notAffected) {
    const invalid = apk.validate(version);
    if (invalid !== null) {
      report('PL_FEED_VERSION_INVALID', `invalid apk version ${JSON.stringify(version)}: ${invalid}`);
      return;
    }
  }
  for (const item of list as unknown[]) {
    if (typeof item !== 'string') {
      report('PL_FEED_SCHEMA_INVALID', `expected an id, got ${describe(item)}`);
      continue;
    }
    const entry = readSecfixEntry(item);
    if (typeof entry === 'string') {
      report('PL_FEED_SCHEMA_INVALID', `entry ${JSON.stringify(item)}: ${entry}`);
      continue;
    }
    const primaries = entry.cves.length > 0 ? entry.cves : entry.others.slice(0, 1);
    const aliases = entry.cves.length > 0 ? entry.others : entry.others.slice(1);
    for (const primary of primaries) {
      let found = ctx.ids.get(primary);
      if (found === undefined) {
        found = { aliases: new Set(), sightings: [] };
        ctx.ids.set(primary, found);
      }
      for (const a of aliases) found.aliases.add(a);
      found.sightings.push({
        release: ctx.release,
        repo: ctx.repo,
        package: pkg,
        fixed: notAffected ? null : version,
        comment: entry.comment,
      });
    }
  }
}
