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
 * Errors (the rest of the document still parses). What a document says about an id it says whole
 * or not at all: a part of the document that cannot be used (a version key apk rejects, an entry
 * or a list of the wrong shape, a package without a name) takes the advisories it names with it.
 * Each of those advisories is skipped for this document, even where other packages or versions of
 * the document name the id too, and reported once (record `ALPINE-<id>`, the first problem's code,
 * every reason, each prefixed with its `package version`). Keeping the rest would store an
 * advisory that silently lost a package of this branch the feed gives it. (The same id from the
 * documents of other branches is still merged and stored: what the store holds for this branch
 * stays as it was, as when this document is not imported.) A part that names no id it could be
 * about is reported by where it is (record `package version`, `package`, `#index`):
 * - PL_FEED_JSON_INVALID: the text is neither JSON nor YAML (record `document`, nothing parsed).
 * - PL_FEED_SCHEMA_INVALID: a document, package or secfixes value of the wrong shape; a version
 *   whose ids are not a list; an entry with a malformed CVE id (`CVE_2019-2426`) or no id at all.
 *   Only the well-formed CVE ids of a malformed entry count as named (`CVE-2017-17434-1` names
 *   none: guessing could skip the wrong advisory).
 * - PL_FEED_VERSION_INVALID: a version key apk would reject (`4.8.0.-r1`, `2.7.16-33`): every
 *   advisory listed under it.
 * A version key with no ids at all (`7.4.0-r0:` and nothing) loses nothing and is a warning
 * (`warning: true`, record `package version`).
 */
import {
  schemeFor,
  type Advisory,
  type FeedErrorCode,
  type FeedRecordError,
  type ParseResult,
} from '@patchloop/core';
import { compareIds, isObject } from '../record/index.js';
import { decodeSecdb, describe, isNone } from './document.js';
import { aliasIds, namedIds, primaryIds, readSecfixEntry } from './entry.js';
import { buildAdvisory, type Sighting } from './merge.js';

const apk = schemeFor('apk');

interface Skip {
  readonly code: FeedErrorCode;
  readonly reasons: Set<string>;
}

interface Context {
  readonly file: string;
  readonly release: string;
  readonly repo: string | null;
  /** Reports in document order; a string holds the place of that skipped advisory's report. */
  readonly reports: (FeedRecordError | string)[];
  /** primary id → what the document says about it. */
  readonly ids: Map<string, { aliases: Set<string>; sightings: Sighting[] }>;
  /** primary id → why the document's advisory for it is skipped. */
  readonly skipped: Map<string, Skip>;
}

export function parseAlpineSecdb(text: string, file: string): ParseResult<Advisory> {
  const documentError = (code: FeedErrorCode, reason: string): ParseResult<Advisory> => ({
    records: [],
    errors: [{ file, record: 'document', code, reason }],
  });
  const decoded = decodeSecdb(text);
  if (!decoded.ok) return documentError('PL_FEED_JSON_INVALID', decoded.reason);
  const doc = decoded.value;
  if (!isObject(doc))
    return documentError('PL_FEED_SCHEMA_INVALID', `expected a mapping, got ${describe(doc)}`);
  const release = doc['distroversion'];
  if (typeof release !== 'string' || release.trim() === '') {
    const reason = `distroversion: expected the branch name, got ${describe(release)}`;
    return documentError('PL_FEED_SCHEMA_INVALID', reason);
  }
  const repo = typeof doc['reponame'] === 'string' && doc['reponame'] !== '' ? doc['reponame'] : null;
  const packages = isNone(doc['packages']) ? [] : doc['packages'];
  if (!Array.isArray(packages)) {
    return documentError('PL_FEED_SCHEMA_INVALID', `packages: expected a list, got ${describe(packages)}`);
  }
  const ctx: Context = {
    file,
    release: release.trim(),
    repo,
    reports: [],
    ids: new Map(),
    skipped: new Map(),
  };
  packages.forEach((entry: unknown, i: number) => readPackage(ctx, entry, i));

  const records = [...ctx.ids.entries()]
    .filter(([primary]) => !ctx.skipped.has(primary))
    .sort(([a], [b]) => compareIds(a, b))
    .map(([primary, { aliases, sightings }]) => buildAdvisory(primary, aliases, sightings));
  const errors = ctx.reports.map((r) => (typeof r === 'string' ? skipReport(ctx, r) : r));
  return { records, errors };
}

function readPackage(ctx: Context, entry: unknown, index: number): void {
  const pkg = isObject(entry) ? entry['pkg'] : undefined;
  const name = isObject(pkg) ? pkg['name'] : undefined;
  if (!isObject(pkg) || typeof name !== 'string' || name.trim() === '') {
    const what = isObject(pkg)
      ? `pkg.name: expected a package name, got ${describe(name)}`
      : 'expected {pkg: {name, secfixes}}';
    reject(ctx, `#${index}`, entry, 'PL_FEED_SCHEMA_INVALID', what);
    return;
  }
  const secfixes = isNone(pkg['secfixes']) ? {} : pkg['secfixes'];
  if (!isObject(secfixes)) {
    const reason = `secfixes: expected a mapping of versions, got ${describe(secfixes)}`;
    reject(ctx, name.trim(), secfixes, 'PL_FEED_SCHEMA_INVALID', reason);
    return;
  }
  for (const [version, list] of Object.entries(secfixes)) readFix(ctx, name.trim(), version.trim(), list);
}

function readFix(ctx: Context, pkg: string, version: string, list: unknown): void {
  const where = `${pkg} ${version}`;
  if (isNone(list) || (Array.isArray(list) && list.length === 0)) {
    const reason = 'no vulnerability ids listed for this version';
    ctx.reports.push({
      file: ctx.file,
      record: where,
      code: 'PL_FEED_SCHEMA_INVALID',
      reason,
      warning: true,
    });
    return;
  }
  if (!Array.isArray(list)) {
    reject(ctx, where, list, 'PL_FEED_SCHEMA_INVALID', `expected a list of ids, got ${describe(list)}`);
    return;
  }
  const notAffected = version === '0';
  const invalid = notAffected ? null : apk.validate(version);
  if (invalid !== null) {
    const reason = `invalid apk version ${JSON.stringify(version)}: ${invalid}`;
    reject(ctx, where, list, 'PL_FEED_VERSION_INVALID', reason);
  }
  for (const item of list as unknown[]) {
    if (typeof item !== 'string') {
      reject(ctx, where, item, 'PL_FEED_SCHEMA_INVALID', `expected an id, got ${describe(item)}`);
      continue;
    }
    const entry = readSecfixEntry(item);
    if (typeof entry === 'string') {
      reject(ctx, where, item, 'PL_FEED_SCHEMA_INVALID', `entry ${JSON.stringify(item)}: ${entry}`);
      continue;
    }
    if (invalid !== null) continue;
    for (const primary of primaryIds(entry)) {
      let found = ctx.ids.get(primary);
      if (found === undefined) {
        found = { aliases: new Set(), sightings: [] };
        ctx.ids.set(primary, found);
      }
      for (const a of aliasIds(entry)) found.aliases.add(a);
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

/**
 * Reports a part of the document (at `where`) that cannot be used. The advisories it names are
 * skipped; a part that names none is reported by where it is.
 */
function reject(ctx: Context, where: string, value: unknown, code: FeedErrorCode, reason: string): void {
  const ids = idsIn(value);
  if (ids.size === 0) {
    ctx.reports.push({ file: ctx.file, record: where, code, reason });
    return;
  }
  for (const id of ids) {
    const skip = ctx.skipped.get(id);
    if (skip === undefined) {
      ctx.skipped.set(id, { code, reasons: new Set([`${where}: ${reason}`]) });
      ctx.reports.push(id);
    } else skip.reasons.add(`${where}: ${reason}`);
  }
}

/** The ids of the advisories a part of the document names: every entry string in it, at any depth. */
function idsIn(value: unknown, into = new Set<string>(), depth = 0): Set<string> {
  if (typeof value === 'string') for (const id of namedIds(value)) into.add(id);
  else if (depth < 4 && (Array.isArray(value) || isObject(value))) {
    for (const v of Object.values(value)) idsIn(v, into, depth + 1);
  }
  return into;
}

function skipReport(ctx: Context, id: string): FeedRecordError {
  const skip = ctx.skipped.get(id) as Skip;
  return { file: ctx.file, record: `ALPINE-${id}`, code: skip.code, reason: [...skip.reasons].join('; ') };
}
