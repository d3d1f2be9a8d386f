/**
 * One secfixes entry string → the vulnerability ids it names. The forms found in the secdb:
 *
 *   CVE-2019-14904                          one CVE
 *   CVE-2016-6258 XSA-182                   a CVE and the vendor's id for it (also TALOS-…)
 *   CVE-2018-3620 CVE-2018-3646 XSA-273     several CVEs and one vendor id
 *   CVE-2018-14468 (FrameRelay)             a CVE and a comment
 *   CVE-2017-5753 … XSA-254 XPTI            a bare word: kept as a comment
 *   XSA-207, ZBX-11023, wnpa-sec-2017-18    a non-CVE id alone
 *   CVE-????-?????  XSA-284                 "CVE not assigned yet": the placeholder is dropped
 *
 * A token that starts with "CVE" but is not a CVE id (`CVE_2019-2426`, `CVE 2018-16859`,
 * `CVE-2017-17434-1`, `CVE-2019-19451.patch`) makes the entry invalid: guessing which CVE was meant
 * could attach a fix to the wrong vulnerability.
 */

export interface SecfixEntry {
  /** CVE ids named by the entry; each becomes (or joins) the advisory ALPINE-<CVE>. */
  readonly cves: readonly string[];
  /** Other ids (XSA-182, TALOS-2017-0488): aliases, or the advisory's own id when there is no CVE. */
  readonly others: readonly string[];
  /** Words and parenthesized text that are not ids, or null. */
  readonly comment: string | null;
}

const CVE_ID = /^CVE-\d{4}-\d{4,}$/;
const CVE_PLACEHOLDER = /^CVE-\?+-\?+$/;
const CVE_LIKE = /^CVE/i;
const OTHER_ID = /^[A-Za-z][A-Za-z0-9]*(?:-[A-Za-z0-9]+)+$/;

/** The entry's tokens (outside the parenthesized comment) and the comment, or null. */
function split(entry: string): { tokens: string[]; comment: string | null } {
  const text = entry.trim();
  const paren = /^(.*?)\s*\((.*)\)$/.exec(text);
  const ids = paren === null ? text : (paren[1] as string);
  return {
    tokens: ids.split(/\s+/).filter((t) => t !== ''),
    comment: paren === null ? null : (paren[2] as string).trim(),
  };
}

/** The entry's ids, or the reason it cannot be used. */
export function readSecfixEntry(entry: string): SecfixEntry | string {
  const { tokens, comment: paren } = split(entry);
  const words = paren === null ? [] : [paren];
  const cves: string[] = [];
  const others: string[] = [];
  const rest: string[] = [];
  for (const token of tokens) {
    if (CVE_ID.test(token)) cves.push(token);
    else if (CVE_PLACEHOLDER.test(token)) continue;
    else if (CVE_LIKE.test(token)) return `malformed CVE id ${JSON.stringify(token)}`;
    else if (OTHER_ID.test(token) && /\d/.test(token)) others.push(token);
    else rest.push(token);
  }
  if (cves.length === 0 && others.length === 0) return 'no vulnerability id';
  const comment = [...rest, ...words].filter((w) => w !== '').join(' ');
  return { cves, others, comment: comment === '' ? null : comment };
}

/**
 * The advisories an entry is about: ALPINE-<CVE> for each of its CVE ids, else ALPINE-<its first
 * other id> (the others are that advisory's aliases).
 */
export function primaryIds(entry: SecfixEntry): readonly string[] {
  return entry.cves.length > 0 ? entry.cves : entry.others.slice(0, 1);
}

/** The aliases the entry gives its advisories. */
export function aliasIds(entry: SecfixEntry): readonly string[] {
  return entry.cves.length > 0 ? entry.others : entry.others.slice(1);
}

/**
 * The ids of the advisories an entry names, whether or not the entry can be used: its primary ids
 * when it reads, else the well-formed CVE ids among its tokens (`CVE-2020-1234 CVE_2020-9` names
 * CVE-2020-1234). Used to skip, never to build, an advisory.
 */
export function namedIds(entry: string): readonly string[] {
  const read = readSecfixEntry(entry);
  if (typeof read !== 'string') return primaryIds(read);
  return split(entry).tokens.filter((t) => CVE_ID.test(t));
}
