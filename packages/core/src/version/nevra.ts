/**
 * RPM package strings: `name-[epoch:]version-release[.arch]` (NEVRA), and the
 * shorter forms rpm tools print: NEVR (no arch), EVR and EVRA (no name).
 *
 * Splitting, from the right: the release is after the last '-', the name is
 * before the second-to-last '-' (names may contain '-', versions and releases
 * may not); with a single '-' the string is an EVR and has no name. The arch
 * is the part of the release after its last '.', but only when that part is a
 * known rpm architecture (`RPM_ARCHES`): "1.el9.x86_64" has arch x86_64 while
 * "1.el9" keeps its whole release. There is no other way to tell an arch from
 * a release segment.
 *
 * The epoch-first form `epoch:name-version-release[.arch]` (what
 * `rpm -qa --qf '%{EPOCH}:%{NAME}-%{VERSION}-%{RELEASE}.%{ARCH}'` and yum print)
 * is accepted too: it is unambiguous, because rpm forbids ':' in package
 * names, so a name part that starts with digits and ':' can only be an epoch.
 * It needs at least two '-' after the epoch ("1:2.0-1" is an EVR), and it is
 * rejected when the version carries an epoch as well ("1:foo-2:1.0-1").
 * rpm prints "(none)" for a missing tag, so a leading "(none):" means "no
 * epoch" (with or without a name) and a trailing ".(none)" means "no arch"
 * (gpg-pubkey packages).
 *
 * Ordering (as claircore's rpmver, whose table the tests check): name (absent
 * sorts first, then plain string order: different names are different
 * packages, never "equal versions"), then the EVR exactly as `rpm.compare`,
 * then arch (absent first, then string order).
 */
import { PatchloopError } from '../error/codes.js';
import type { Ordering } from './scheme.js';
import { rpm } from './rpm.js';

export interface Nevra {
  /** The package name, or null for an EVR or EVRA string. */
  readonly name: string | null;
  /** The epoch, or null when the string has none (it then compares as 0). */
  readonly epoch: number | null;
  readonly version: string;
  readonly release: string;
  /** The architecture, or null when the release does not end in a known one. */
  readonly arch: string | null;
}

/** Architectures rpm knows (rpmrc arch_canon and build arches), plus source arches. */
export const RPM_ARCHES: ReadonlySet<string> = new Set(
  [
    'noarch src nosrc i386 i486 i586 i686 athlon geode pentium3 pentium4 x86_64 x86_64_v2',
    'x86_64_v3 x86_64_v4 amd64 ia32e em64t ia64 aarch64 arm64 armhfp armv3l armv4b armv4l',
    'armv5tl armv5tel armv5tejl armv6l armv6hl armv7l armv7hl armv7hnl armv8l armv8hl ppc',
    'ppc64 ppc64le ppc64p7 ppc64iseries ppc64pseries ppciseries ppcpseries s390 s390x',
    'riscv riscv32 riscv64 loongarch64 alpha alphaev5 alphaev56 alphaev6 alphaev67 sparc',
    'sparcv8 sparcv9 sparcv9v sparc64 sparc64v mips mipsel mips64 mips64el m68k sh3 sh4',
    'sh4a e2k',
  ]
    .join(' ')
    .split(' '),
);

function invalid(s: string, reason: string): PatchloopError {
  return new PatchloopError('PL_NEVRA_INVALID', `invalid RPM package ${JSON.stringify(s)}: ${reason}`, {
    nevra: s,
    reason,
  });
}

const BAD_CHAR = /[\s\p{Cc}]/u;
const EPOCH_FIRST = /^(\d+):/;
/** What `rpm -q --qf` prints for a tag the package lacks (`%{EPOCH}`, `%{ARCH}`). */
const NONE = '(none)';

/** Parses `[epoch:]name-[epoch:]version-release[.arch]`; throws PL_NEVRA_INVALID. */
export function parseNevra(s: string): Nevra {
  if (s === '') throw invalid(s, 'empty string');
  if (BAD_CHAR.test(s)) throw invalid(s, 'contains whitespace or a control character');
  let rest = s;
  let outerEpoch: string | null = null;
  let noEpoch = false;
  if (rest.startsWith(`${NONE}:`)) {
    rest = rest.slice(NONE.length + 1);
    noEpoch = true;
  }
  const head = noEpoch ? null : EPOCH_FIRST.exec(s);
  if (head !== null) {
    const after = s.slice(head[0].length);
    const dash = after.lastIndexOf('-');
    if (dash > 0 && after.lastIndexOf('-', dash - 1) >= 0) {
      outerEpoch = head[1] ?? null;
      rest = after;
    }
  }

  const relDash = rest.lastIndexOf('-');
  if (relDash < 0) throw invalid(s, "no '-' between version and release");
  const nameDash = relDash === 0 ? -1 : rest.lastIndexOf('-', relDash - 1);
  let name: string | null = null;
  if (nameDash >= 0) {
    name = rest.slice(0, nameDash);
    if (name === '') throw invalid(s, 'empty name');
    if (name.includes(':')) throw invalid(s, "name contains ':'");
  }

  let release = rest.slice(relDash + 1);
  let arch: string | null = null;
  const dot = release.lastIndexOf('.');
  const lastPart = release.slice(dot + 1);
  if (dot >= 0 && (RPM_ARCHES.has(lastPart) || lastPart === NONE)) {
    arch = lastPart === NONE ? null : lastPart;
    release = release.slice(0, dot);
  }
  if (release === '') throw invalid(s, 'empty release');

  const evText = rest.slice(nameDash + 1, relDash);
  const why = rpm.validate(evText);
  if (why !== null) throw invalid(s, why);
  const ev = rpm.parse(evText);
  if ((outerEpoch !== null || noEpoch) && ev.epoch !== null) throw invalid(s, 'two epochs');
  const epoch = outerEpoch !== null ? Number(outerEpoch) : ev.epoch;
  if (!Number.isSafeInteger(epoch ?? 0)) throw invalid(s, 'epoch is too large');
  return { name, epoch, version: ev.version, release, arch };
}

/** Why `s` is not a valid RPM package string, or null. Never throws. */
export function validateNevra(s: string): string | null {
  try {
    parseNevra(s);
    return null;
  } catch (e) {
    if (e instanceof PatchloopError) return String(e.details.reason);
    throw e;
  }
}

function compareOptional(a: string | null, b: string | null): Ordering {
  if (a === b) return 0;
  if (a === null) return -1;
  if (b === null) return 1;
  return a < b ? -1 : 1;
}

/** Orders two packages: name, then EVR (as `rpm.compare`), then arch. */
export function compareNevra(a: Nevra | string, b: Nevra | string): Ordering {
  const x = typeof a === 'string' ? parseNevra(a) : a;
  const y = typeof b === 'string' ? parseNevra(b) : b;
  return compareOptional(x.name, y.name) || rpm.compareParsed(x, y) || compareOptional(x.arch, y.arch);
}

/** The canonical string: `[name-][epoch:]version-release[.arch]`. */
export function formatNevra(n: Nevra): string {
  const name = n.name === null ? '' : `${n.name}-`;
  const arch = n.arch === null ? '' : `.${n.arch}`;
  return `${name}${rpm.format(n)}${arch}`;
}
