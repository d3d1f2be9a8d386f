/**
 * Red Hat's container image RPM manifest (`containerImageRPMManifest`, the
 * JSON published beside UBI/RHEL images): `{ "rpms": [ … ] }`, one entry per
 * installed rpm with `name`, `release`, `architecture`, `srpm_name`,
 * `srpm_nevra` ("dbus-1:1.12.20-7.el9_1.src"), `gpg` (signing key id) and the
 * version in one of two spellings seen in the wild:
 * - `version` ("1.12.20", or "1:1.12.20" with the epoch) next to `release`;
 * - `nerva` (sic; `nevra` and `nvra` are accepted too), a whole NEVRA whose
 *   version may carry the epoch ("dbus-common-1:1.12.8-7.el8.noarch").
 *
 * The epoch. Some manifests leave it out of `version` and put it only in
 * `srpm_nevra` (the UBI 9 nodejs manifest lists tar as "1.34" with source
 * "tar-2:1.34-6.el9_1.src", while rpm and newer manifests say "2:1.34"). A
 * binary built from a spec shares that spec's Epoch unless the subpackage sets
 * its own, and a subpackage with its own Epoch has, in practice, its own
 * Version too (perl-IO 1.43 from perl-4:5.32.1). So a binary without an
 * explicit epoch takes the source rpm's explicit epoch when its version and
 * release are the source's; otherwise it has none. The source version is the
 * source rpm's version-release with the source rpm's explicit epoch, or else
 * the binary's epoch. Epochs appear only when not zero.
 *
 * vendor is the signing key id (`gpg`), the only origin mark the manifest has.
 */
import { PatchloopError } from '../error/codes.js';
import { parseNevra, type Nevra } from '../version/nevra.js';
import type { InstalledPackage } from './model.js';
import {
  formatRpmEvr,
  inventoryEmpty,
  inventoryInvalid,
  RPM_GPG_PUBKEY,
  tokenProblem,
} from './parse-common.js';

const SOURCE = 'rpm manifest';
const EPOCH_PREFIX = /^(\d{1,10}):(.*)$/;

type Entry = Readonly<Record<string, unknown>>;

/** The installed packages of an image RPM manifest, in manifest order. */
export function parseRpmManifest(text: string): InstalledPackage[] {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw inventoryInvalid(SOURCE, 'document', `not valid JSON (${(e as Error).message})`);
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
    throw inventoryInvalid(SOURCE, 'document', 'expected a JSON object with an "rpms" array');
  }
  const rpms = (doc as Entry).rpms;
  if (!Array.isArray(rpms)) throw inventoryInvalid(SOURCE, 'rpms', 'expected an array');
  const packages: InstalledPackage[] = [];
  rpms.forEach((entry: unknown, i) => {
    const pkg = parseEntry(entry, i);
    if (pkg.name !== RPM_GPG_PUBKEY) packages.push(pkg);
  });
  if (packages.length === 0) throw inventoryEmpty(SOURCE);
  return packages;
}

function parseEntry(entry: unknown, i: number): InstalledPackage {
  let where = `rpms[${i}]`;
  const fail = (reason: string): PatchloopError => inventoryInvalid(SOURCE, where, reason, { entry: i });
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) throw fail('expected an object');
  const e = entry as Entry;

  const str = (key: string): string | null => {
    const v = e[key];
    if (v === undefined || v === null) return null;
    if (typeof v !== 'string') throw fail(`"${key}" must be a string`);
    return v;
  };
  const tok = (key: string, value: string): string => {
    const problem = tokenProblem(value);
    if (problem !== null) throw fail(`"${key}" ${problem}`);
    return value;
  };
  const nevraOf = (key: string, value: string): Nevra => {
    try {
      return parseNevra(value);
    } catch (err) {
      if (err instanceof PatchloopError) throw fail(`"${key}": ${err.message}`);
      throw err;
    }
  };

  const rawName = str('name');
  if (rawName === null) throw fail('"name" is missing');
  const name = tok('name', rawName);
  where = `rpms[${i}] (${JSON.stringify(name)})`;

  let epoch: number | null = null;
  let version: string;
  let release = str('release');
  let arch = str('architecture');
  const rawVersion = str('version');
  const nevraKey = ['nerva', 'nevra', 'nvra'].find((k) => str(k) !== null);
  if (rawVersion !== null) {
    const m = EPOCH_PREFIX.exec(rawVersion);
    if (m !== null) epoch = Number(m[1]);
    version = tok('version', m === null ? rawVersion : (m[2] as string));
  } else if (nevraKey !== undefined) {
    const n = nevraOf(nevraKey, str(nevraKey) as string);
    if (n.name !== name) throw fail(`"${nevraKey}" names ${JSON.stringify(n.name)}, not the entry's name`);
    if (release !== null && release !== n.release) {
      throw fail(
        `"${nevraKey}" has release ${JSON.stringify(n.release)}, "release" ${JSON.stringify(release)}`,
      );
    }
    epoch = n.epoch;
    version = n.version;
    release = n.release;
    arch ??= n.arch;
  } else {
    throw fail('has neither "version" nor "nerva"');
  }
  if (release === null) throw fail('"release" is missing');
  tok('release', release);
  if (version.includes('-') || release.includes('-')) throw fail("version and release must not contain '-'");
  if (arch !== null) tok('architecture', arch);

  const srpmNevra = str('srpm_nevra');
  const src = srpmNevra === null || srpmNevra === '' ? null : nevraOf('srpm_nevra', srpmNevra);
  const sameAsSource = src !== null && src.version === version && src.release === release;
  if (epoch === null && sameAsSource) epoch = src.epoch;
  const evr = formatRpmEvr(epoch, version, release);

  const srpmName = str('srpm_name');
  const sourceName = srpmName !== null && srpmName !== '' ? tok('srpm_name', srpmName) : (src?.name ?? name);
  const sourceVersion = src === null ? evr : formatRpmEvr(src.epoch ?? epoch, src.version, src.release);
  const gpg = str('gpg');
  return {
    name,
    version: evr,
    arch,
    sourceName,
    sourceVersion,
    vendor: gpg === null || gpg.trim() === '' ? null : gpg.trim(),
    // No epoch in the manifest for this package: it may still have one.
    ...(epoch === null ? { epochKnown: false } : {}),
  };
}
