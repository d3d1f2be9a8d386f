/**
 * Wire format of the Debian security tracker's advisory lists, `data/DSA/list` and `data/DLA/list`
 * in https://salsa.debian.org/security-tracker-team/security-tracker. One entry per advisory:
 *
 *   [29 Mar 2023] DSA-5380-1 xorg-server - security update
 *   	{CVE-2023-1393}
 *   	[bullseye] - xorg-server 2:1.20.11-1+deb11u6
 *   	[buster] - pkg <not-affected> (Vulnerable code not present)
 *   	NOTE: free text
 *
 * The header starts in column 0; every other line of the entry is indented (tabs or spaces, both
 * occur). The header text after the id is free-form: usually `pkg - title`, but the lists also have
 * `pkg -- title`, `- pkg - title`, `pkg1, pkg2 - title`, ` - title` (no package), `pkg title` (no
 * dash), `pkg` alone, and announcements without any package (`jessie end-of-life`). Ids before
 * DSA-1000 or so have no `-n` revision suffix (`DSA-135`).
 *
 * Release lines give a source package and either a fixed version or a `<status>`, optionally
 * followed by a parenthesized note (`(bug #365910; medium)`, `(Vulnerable code not present)`).
 */

/** A `[release] - package …` line as written. */
export interface RawReleaseLine {
  /** 1-based line number in the list file. */
  readonly line: number;
  readonly release: string;
  readonly package: string;
  /** The fixed version, when the line names one. */
  readonly version: string | null;
  /** The `<status>` without brackets (`unfixed`, `not-affected`, `end-of-life`, …), when given. */
  readonly status: string | null;
  /** The parenthesized text after the version or status, without the parentheses. */
  readonly note: string | null;
}

/** One advisory entry of a list, as written (header fields split, body lines classified). */
export interface RawListEntry {
  /** 1-based line number of the header. */
  readonly line: number;
  /** `DSA-5380-1`, `DLA-3368-1`, `DSA-135`. */
  readonly id: string;
  /** The date as written: `29 Mar 2023`. */
  readonly date: string;
  /** Header text after the id, whitespace collapsed (`xorg-server - security update`). */
  readonly header: string;
  readonly cves: string[];
  readonly releases: RawReleaseLine[];
  /** Text of the `NOTE:` lines, without the prefix. */
  readonly notes: string[];
}
