/**
 * dpkg's package state, as the status file spells it (`Status: want eflag
 * status`, dpkg(1) "Package states") and as `dpkg-query` abbreviates it
 * (`${db:Status-Abbrev}`, three characters: want, status, error flag).
 *
 * Which packages count as installed: the ones whose files are on disk, which
 * the third word tells and the first does not. The want word (install, hold,
 * deinstall, purge, unknown) is only what the administrator asked for:
 * "deinstall ok installed" is a package selected for removal that is still
 * fully installed, and "hold ok installed" one pinned at its version; both are
 * installed. The states with the package's files unpacked are `installed`,
 * `triggers-pending`, `triggers-awaited` (configured, only triggers pending),
 * `half-configured` and `unpacked` (unpacked but not, or not successfully,
 * configured): a vulnerable library that failed to configure is still on disk
 * and loadable, so it is reported. Not installed: `not-installed`,
 * `config-files` (only configuration files left after a removal) and
 * `half-installed` (an installation or removal that stopped part-way, with no
 * version one can trust to be on disk).
 */

const WANTS = new Set(['unknown', 'install', 'hold', 'deinstall', 'purge']);
/** "reinstreq" is what dpkg writes for the reinst-required flag; "hold"/"hold-reinstreq" are pre-1.13 spellings. */
const ERROR_FLAGS = new Set(['ok', 'reinstreq', 'hold', 'hold-reinstreq']);
const STATES = new Set([
  'not-installed',
  'config-files',
  'half-installed',
  'unpacked',
  'half-configured',
  'triggers-awaited',
  'triggers-pending',
  'installed',
]);
const FILES_PRESENT = new Set([
  'unpacked',
  'half-configured',
  'triggers-awaited',
  'triggers-pending',
  'installed',
]);

/**
 * Whether a status-file `Status:` value ("install ok installed") means the
 * package is installed; a string with the reason when the value is malformed.
 */
export function dpkgStatusInstalled(status: string): boolean | string {
  const value = status.trim();
  const words = value.split(/\s+/);
  if (words.length !== 3) return `Status ${JSON.stringify(value)} is not "want flag status"`;
  const [want, flag, state] = words as [string, string, string];
  if (!WANTS.has(want)) return `Status ${JSON.stringify(value)} has an unknown want "${want}"`;
  if (!ERROR_FLAGS.has(flag)) return `Status ${JSON.stringify(value)} has an unknown error flag "${flag}"`;
  if (!STATES.has(state)) return `Status ${JSON.stringify(value)} has an unknown state "${state}"`;
  return FILES_PRESENT.has(state);
}

/** Abbreviated states (`dpkg -l`, `${db:Status-Abbrev}`): n c H U F W t i. */
const ABBREV_FILES_PRESENT = new Set(['U', 'F', 'W', 't', 'i']);
/** want (u i h r p), state (n c H U F W t i), then an error flag (space or R) that a trim may have dropped. */
const ABBREV = /^[uihrp][ncHUFWti][ R]?$/;

/**
 * Whether a `${db:Status-Abbrev}` value ("ii ", "hi ", "rc ", "iUR") means the
 * package is installed; a string with the reason when the value is malformed.
 */
export function dpkgAbbrevInstalled(abbrev: string): boolean | string {
  if (!ABBREV.test(abbrev)) return `status ${JSON.stringify(abbrev)} is not a dpkg status abbreviation`;
  return ABBREV_FILES_PRESENT.has(abbrev[1] ?? '');
}
