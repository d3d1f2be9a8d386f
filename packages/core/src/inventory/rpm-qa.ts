/**
 * `rpm -qa` output, in two shapes, told apart by the first line (a tab means
 * the first):
 *
 * - `rpm -qa --qf "$RPM_QUERY_FORMAT"` (the collector runs this): one
 *   tab-separated line per package with NAME, EPOCH, VERSION, RELEASE, ARCH,
 *   SOURCERPM and VENDOR; rpm prints "(none)" for a tag the package lacks (no
 *   epoch, no arch, no source rpm, no vendor).
 * - plain `rpm -qa`: one NEVRA per line, `name-[epoch:]version-release.arch`
 *   (split by `parseNevra`). rpm's own default format is `%{nvr}%{archsuffix}`,
 *   which drops the epoch: a version read from it compares as epoch 0, so
 *   prefer the tab format.
 *
 * Versions are rpm EVRs, `[epoch:]version-release`, the epoch only when it is
 * not zero. The source package comes from SOURCERPM (`openssl-3.0.7-27.el9.src.rpm`
 * → "openssl", "3.0.7-27.el9"). An SRPM file name carries no epoch; the
 * source version takes the binary's epoch, which is right whenever the
 * subpackage does not set an Epoch of its own. NEVRA lines name no source, so
 * there source = binary. `gpg-pubkey` entries (imported signing keys, not
 * software) are left out.
 */
import { PatchloopError } from '../error/codes.js';
import { parseNevra } from '../version/nevra.js';
import type { InstalledPackage } from './model.js';
import {
  formatRpmEvr,
  inventoryEmpty,
  inventoryInvalid,
  RPM_GPG_PUBKEY,
  splitLines,
  tokenProblem,
} from './parse-common.js';

const SOURCE = 'rpm package list';

/**
 * The `--qf`/`--queryformat` argument for `rpm -qa`. rpm itself turns the
 * `\t` and `\n` escapes into a tab and a newline, so pass the string as it is.
 */
export const RPM_QUERY_FORMAT =
  '%{NAME}\\t%{EPOCH}\\t%{VERSION}\\t%{RELEASE}\\t%{ARCH}\\t%{SOURCERPM}\\t%{VENDOR}\\n';

const NONE = '(none)';
const FIELDS = 7;
const SRPM_SUFFIX = /\.(?:no)?src\.rpm$/;

/** The installed packages listed by `rpm -qa` (either shape), in output order, without gpg-pubkey. */
export function parseRpmQa(text: string): InstalledPackage[] {
  const packages: InstalledPackage[] = [];
  let tabbed: boolean | null = null;
  for (const { no, text: line } of splitLines(text)) {
    if (line.trim() === '') continue;
    tabbed ??= line.includes('\t');
    const pkg = tabbed ? queryFormatLine(line, no) : nevraLine(line.trim(), no);
    if (pkg.name !== RPM_GPG_PUBKEY) packages.push(pkg);
  }
  if (packages.length === 0) throw inventoryEmpty(SOURCE);
  return packages;
}

function nevraLine(line: string, no: number): InstalledPackage {
  let n;
  try {
    n = parseNevra(line);
  } catch (e) {
    if (e instanceof PatchloopError) throw inventoryInvalid(SOURCE, `line ${no}`, e.message, { line: no });
    throw e;
  }
  if (n.name === null) {
    throw inventoryInvalid(
      SOURCE,
      `line ${no}`,
      `${JSON.stringify(line)} has no package name (expected name-version-release.arch)`,
      { line: no },
    );
  }
  const version = formatRpmEvr(n.epoch, n.version, n.release);
  return {
    name: n.name,
    version,
    arch: n.arch,
    sourceName: n.name,
    sourceVersion: version,
    vendor: null,
    // rpm's default query format drops the epoch: a line without one says nothing about it.
    ...(n.epoch === null ? { epochKnown: false } : {}),
  };
}

function field(value: string, label: string, no: number): string {
  const problem = tokenProblem(value);
  if (problem !== null) throw inventoryInvalid(SOURCE, `line ${no}`, `${label} ${problem}`, { line: no });
  return value;
}

/** Version and release must not contain '-': rpm refuses it, and the EVR would not split back. */
function part(value: string, label: string, no: number): string {
  field(value, label, no);
  if (value.includes('-') || value === NONE) {
    throw inventoryInvalid(SOURCE, `line ${no}`, `${label} ${JSON.stringify(value)} is not valid`, {
      line: no,
    });
  }
  return value;
}

function queryFormatLine(line: string, no: number): InstalledPackage {
  const cells = line.split('\t');
  if (cells.length !== FIELDS) {
    throw inventoryInvalid(
      SOURCE,
      `line ${no}`,
      `expected ${FIELDS} tab-separated fields (RPM_QUERY_FORMAT), found ${cells.length}`,
      { line: no },
    );
  }
  const [
    rawName = '',
    rawEpoch = '',
    rawVersion = '',
    rawRelease = '',
    rawArch = '',
    srpm = '',
    vendor = '',
  ] = cells;
  const name = field(rawName, 'name', no);
  let epoch: number | null = null;
  if (rawEpoch !== NONE) {
    if (!/^\d{1,10}$/.test(rawEpoch)) {
      throw inventoryInvalid(SOURCE, `line ${no}`, `epoch ${JSON.stringify(rawEpoch)} is not a number`, {
        line: no,
      });
    }
    epoch = Number(rawEpoch);
  }
  const version = part(rawVersion, 'version', no);
  const release = part(rawRelease, 'release', no);
  const evr = formatRpmEvr(epoch, version, release);
  const arch = rawArch === NONE || rawArch === '' ? null : field(rawArch, 'arch', no);
  let sourceName = name;
  let sourceVersion = evr;
  if (srpm !== NONE && srpm !== '') {
    const src = parseSourceRpm(srpm);
    if (typeof src === 'string') throw inventoryInvalid(SOURCE, `line ${no}`, src, { line: no });
    sourceName = src.name;
    sourceVersion = formatRpmEvr(epoch, src.version, src.release);
  }
  const vendorText = vendor.trim();
  return {
    name,
    version: evr,
    arch,
    sourceName,
    sourceVersion,
    vendor: vendorText === '' || vendorText === NONE ? null : vendorText,
  };
}

/**
 * Splits a source rpm file name, `name-version-release.src.rpm` (or
 * `.nosrc.rpm`); the reason as a string when it is not one.
 */
export function parseSourceRpm(file: string): { name: string; version: string; release: string } | string {
  const bad = `SOURCERPM ${JSON.stringify(file)} is not name-version-release.src.rpm`;
  if (!SRPM_SUFFIX.test(file) || tokenProblem(file) !== null) return bad;
  const nvr = file.replace(SRPM_SUFFIX, '');
  const relDash = nvr.lastIndexOf('-');
  const verDash = relDash <= 0 ? -1 : nvr.lastIndexOf('-', relDash - 1);
  if (verDash <= 0) return bad;
  const name = nvr.slice(0, verDash);
  const version = nvr.slice(verDash + 1, relDash);
  const release = nvr.slice(relDash + 1);
  if (version === '' || release === '') return bad;
  return { name, version, release };
}
