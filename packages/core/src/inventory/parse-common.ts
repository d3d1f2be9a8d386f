/**
 * What the inventory parsers share: splitting text into numbered lines, the
 * two inventory errors, and the checks every package name and version passes.
 *
 * Errors name where the problem is ("line 12", "rpms[3]", "packages[0].version")
 * and never carry a stack trace to the user: the CLI prints the code and the
 * message only.
 */
import { PatchloopError } from '../error/codes.js';

export interface Line {
  /** 1-based line number in the input. */
  readonly no: number;
  /** The line without its end-of-line characters ('\n' or '\r\n'). */
  readonly text: string;
}

/** The lines of `text`: LF or CRLF line ends, a leading byte-order mark dropped. */
export function splitLines(text: string): Line[] {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const raw = body.split('\n');
  if (raw[raw.length - 1] === '') raw.pop();
  return raw.map((t, i) => ({ no: i + 1, text: t.endsWith('\r') ? t.slice(0, -1) : t }));
}

/** PL_INVENTORY_INVALID: `<source>: <where>: <reason>`. */
export function inventoryInvalid(
  source: string,
  where: string,
  reason: string,
  details: Record<string, unknown> = {},
): PatchloopError {
  return new PatchloopError('PL_INVENTORY_INVALID', `${source}: ${where}: ${reason}`, {
    source,
    where,
    reason,
    ...details,
  });
}

/** PL_INVENTORY_EMPTY: the input parsed but lists no installed package. */
export function inventoryEmpty(source: string): PatchloopError {
  return new PatchloopError(
    'PL_INVENTORY_EMPTY',
    `${source}: no installed package found (is this the right file, or did the collector fail?)`,
    { source },
  );
}

const BAD_TOKEN = /[\s\p{Cc}]/u;

/**
 * Why `value` cannot be a package name, version or architecture (empty, or
 * holding whitespace or a control character), or null.
 */
export function tokenProblem(value: string): string | null {
  if (value === '') return 'is empty';
  if (BAD_TOKEN.test(value)) return `${JSON.stringify(value)} contains whitespace or a control character`;
  return null;
}

/**
 * rpm's pseudo-package for an imported signing key (`rpm --import`): its
 * "version" is the key id and its release the key's date. It is not software,
 * so the rpm parsers leave it out.
 */
export const RPM_GPG_PUBKEY = 'gpg-pubkey';

/** `[epoch:]version-release`, with the epoch only when it is not zero (as rpm prints an EVR). */
export function formatRpmEvr(epoch: number | null, version: string, release: string): string {
  return epoch === null || epoch === 0 ? `${version}-${release}` : `${epoch}:${version}-${release}`;
}
