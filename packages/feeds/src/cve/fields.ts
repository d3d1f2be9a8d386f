/**
 * Text fields of a CVE record: the English description, CWE ids and reference
 * URLs, read from the CNA container and (CWEs, references) every ADP one.
 */
import type { CveRecord } from '@patchloop/core';
import type { CveContainer, CveDescription } from './raw.js';

/** "en", "en-US", "en_GB", "eng" (a few CNAs write the ISO 639-2 code). */
const ENGLISH = /^en(?:g|[-_].*)?$/i;

function english(texts: readonly CveDescription[] | undefined): string | null {
  if (texts === undefined || texts.length === 0) return null;
  const en = texts.find((t) => ENGLISH.test(t.lang.trim()));
  return (en ?? (texts[0] as CveDescription)).value;
}

/**
 * The English description (else the first one). A REJECTED record has none:
 * its description is the rejection reason ("DO NOT USE THIS CANDIDATE NUMBER. …").
 */
export function cveDescription(state: CveRecord['state'], cna: CveContainer): string {
  const text =
    state === 'REJECTED'
      ? (english(cna.rejectedReasons) ?? english(cna.descriptions))
      : english(cna.descriptions);
  return text ?? '';
}

const CWE_ID = /^CWE-(\d+)$/;
const CWE_IN_TEXT = /\bCWE-(\d+)\b/g;

/**
 * CWE ids from `problemTypes`: `cweId` where given, else every "CWE-<n>" in
 * the description (many CNAs write "CWE-79 Improper Neutralization …" without
 * `cweId`). "CWE-noinfo" and "NVD-CWE-Other" are not CWEs. Unique, in numeric
 * order.
 */
export function cveCwes(containers: readonly CveContainer[]): string[] {
  const ids = new Set<number>();
  for (const c of containers) {
    for (const pt of c.problemTypes ?? []) {
      for (const d of pt.descriptions ?? []) {
        const m = d.cweId === undefined ? null : CWE_ID.exec(d.cweId.trim());
        if (m !== null) ids.add(Number(m[1]));
        else if (d.cweId === undefined && d.description !== undefined) {
          for (const t of d.description.matchAll(CWE_IN_TEXT)) ids.add(Number(t[1]));
        }
      }
    }
  }
  return [...ids].sort((a, b) => a - b).map((n) => `CWE-${n}`);
}

/** Reference URLs of all containers, CNA first, each once, in the order given. */
export function cveReferences(containers: readonly CveContainer[]): string[] {
  const urls = new Set<string>();
  for (const c of containers) for (const r of c.references ?? []) urls.add(r.url);
  return [...urls];
}
