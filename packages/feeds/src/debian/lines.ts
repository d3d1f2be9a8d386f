/**
 * The line grammar of the tracker's DSA/DLA lists (see raw.ts): splits the text into entries and
 * classifies every body line. A body line that does not parse is a problem of its entry
 * (PL_FEED_LINE_INVALID), returned with it: the caller skips that entry whole (parse.ts). A header
 * that does not parse makes the whole entry unusable: it is reported here and its body lines are
 * skipped with it. A line before the first entry is reported by its line number.
 */
import type { FeedErrorCode, FeedRecordError } from '@patchloop/core';
import type { RawListEntry, RawReleaseLine } from './raw.js';

const HEADER = /^\[(\d{1,2} [A-Za-z]{3} \d{4})\]\s+(D[A-Z]A-\d+(?:-\d+)?)(?:\s+(.*))?$/;
const ID_ANYWHERE = /\b(D[A-Z]A-\d+(?:-\d+)?)\b/;
const CVE_LIST = /^\{([^{}]*)\}$/;
const CVE_ID = /^CVE-\d{4}-\d{4,}$/;
const RELEASE_LINE = /^\[([a-z][a-z0-9-]*)\]\s+-\s+(\S+)(?:\s+(.*))?$/;
const STATUS = /^<([a-z][a-z-]*)>(?:\s*\((.*)\))?$/;
const VERSION = /^(\S+)(?:\s+\((.*)\))?$/;

/** A reported problem and the line it is on, so a caller can merge reports in line order. */
export interface LineError {
  readonly line: number;
  readonly error: FeedRecordError;
}

/** Why one line of an entry cannot be used (the reason without the "line N: " prefix). */
export interface LineProblem {
  readonly line: number;
  readonly code: FeedErrorCode;
  readonly reason: string;
}

export interface ListEntry {
  readonly entry: RawListEntry;
  /** The entry's body lines that did not parse, in line order (those lines are not in `entry`). */
  readonly problems: LineProblem[];
}

export interface ListLines {
  readonly entries: ListEntry[];
  /** Lines that belong to no entry (bad headers, lines before the first entry). */
  readonly errors: LineError[];
}

interface MutableEntry {
  line: number;
  id: string;
  date: string;
  header: string;
  cves: string[];
  releases: RawReleaseLine[];
  notes: string[];
}

/** Splits a list into entries. `line` numbers are 1-based. */
export function splitList(text: string, file: string): ListLines {
  const entries: ListEntry[] = [];
  const errors: LineError[] = [];
  let current: MutableEntry | null = null;
  let problems: LineProblem[] = [];
  // After a header that did not parse, its body lines are skipped without further reports.
  let skipping = false;
  const lines = text.split('\n');

  const lineError = (record: string, n: number, reason: string): void => {
    errors.push({
      line: n,
      error: { file, record, code: 'PL_FEED_LINE_INVALID', reason: `line ${n}: ${reason}` },
    });
  };

  for (let i = 0; i < lines.length; i++) {
    const n = i + 1;
    const raw = (lines[i] as string).replace(/\r$/, '');
    if (raw.trim() === '') continue;

    if (raw[0] === '[') {
      const m = HEADER.exec(raw.trimEnd());
      if (m === null) {
        const id = ID_ANYWHERE.exec(raw)?.[1];
        lineError(id ?? `line ${n}`, n, `not an advisory header: ${JSON.stringify(raw)}`);
        current = null;
        skipping = true;
        continue;
      }
      current = {
        line: n,
        id: m[2] as string,
        date: m[1] as string,
        header: (m[3] ?? '').trim().replace(/\s+/g, ' '),
        cves: [],
        releases: [],
        notes: [],
      };
      problems = [];
      entries.push({ entry: current, problems });
      skipping = false;
      continue;
    }

    if (current === null) {
      if (!skipping) lineError(`line ${n}`, n, `line outside any advisory entry: ${JSON.stringify(raw)}`);
      continue;
    }
    // An unindented line inside an entry may belong to it: the entry cannot be trusted whole.
    const reason =
      raw[0] !== ' ' && raw[0] !== '\t'
        ? `expected an indented line or an advisory header: ${JSON.stringify(raw)}`
        : readBodyLine(current, raw.trim(), n);
    if (reason !== null) problems.push({ line: n, code: 'PL_FEED_LINE_INVALID', reason });
  }
  return { entries, errors };
}

/** Adds one body line to the entry; returns why it could not be read, or null. */
function readBodyLine(entry: MutableEntry, body: string, n: number): string | null {
  if (body.startsWith('NOTE:')) {
    entry.notes.push(body.slice('NOTE:'.length).trim());
    return null;
  }
  if (body[0] === '{') {
    const m = CVE_LIST.exec(body);
    if (m === null) return `unterminated CVE list: ${JSON.stringify(body)}`;
    const bad: string[] = [];
    for (const token of (m[1] as string).split(/\s+/)) {
      if (token === '') continue;
      if (CVE_ID.test(token)) entry.cves.push(token);
      else bad.push(token);
    }
    return bad.length === 0 ? null : `not a CVE id in the CVE list: ${bad.join(', ')}`;
  }
  if (body[0] === '[') {
    const m = RELEASE_LINE.exec(body);
    if (m === null) return `not a "[release] - package version" line: ${JSON.stringify(body)}`;
    const release = m[1] as string;
    const pkg = m[2] as string;
    const rest = m[3];
    if (rest === undefined) return `no fixed version or <status> for ${pkg} in ${release}`;
    if (rest[0] === '<') {
      const s = STATUS.exec(rest);
      if (s === null) return `malformed <status> for ${pkg} in ${release}: ${JSON.stringify(rest)}`;
      entry.releases.push({
        line: n,
        release,
        package: pkg,
        version: null,
        status: s[1] as string,
        note: s[2]?.trim() ?? null,
      });
      return null;
    }
    const v = VERSION.exec(rest);
    if (v === null)
      return `unexpected text after the version of ${pkg} in ${release}: ${JSON.stringify(rest)}`;
    entry.releases.push({
      line: n,
      release,
      package: pkg,
      version: v[1] as string,
      status: null,
      note: v[2]?.trim() ?? null,
    });
    return null;
  }
  return `unknown line: ${JSON.stringify(body)}`;
}
