import { createHash } from 'node:crypto';

/** JSON with object keys in sorted order, so that equal values serialize equally. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(
          Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
        )
      : v,
  );
}

/**
 * Content hash of a normalized record: equal records hash equal whatever
 * their key order (a record read back from jsonb has jsonb's order), so
 * re-imports change nothing.
 */
export function contentHash(record: unknown): string {
  return createHash('sha256').update(canonicalJson(record)).digest('hex');
}

/** A feed date ("2023-03-29" or ISO 8601) as an ISO timestamp in UTC, or null. */
export function toTimestamp(value: string | null | undefined): string | null {
  if (value === null || value === undefined || value === '') return null;
  // Date-only and zone-less timestamps (some CVE records have them) are UTC.
  const iso = /^\d{4}-\d{2}-\d{2}$/.test(value)
    ? `${value}T00:00:00Z`
    : /T[\d:.]+$/.test(value)
      ? `${value}Z`
      : value;
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? null : d.toISOString();
}

export function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Keeps the last record for each key (a feed may repeat a record). */
export function dedupe<T>(items: readonly T[], key: (t: T) => string): T[] {
  const m = new Map<string, T>();
  for (const it of items) m.set(key(it), it);
  return [...m.values()];
}

export interface UpsertCounts {
  added: number;
  modified: number;
  unchanged: number;
}

/** The longest reason (an error message, a skipped record's reason) the store keeps. */
export const MAX_REASON_CHARS = 2000;

/**
 * Text from a feed as the store keeps it in a reason: control characters
 * (a NUL, quoted from a corrupt archive entry, is refused by PostgreSQL's
 * text and jsonb alike) shown as \xNN, lone surrogates replaced, and cut
 * to `max` characters.
 */
export function storableText(text: string, max = MAX_REASON_CHARS): string {
  let s = '';
  for (const ch of text) {
    const c = ch.codePointAt(0) as number;
    if ((c < 0x20 && ch !== '\n' && ch !== '\t') || c === 0x7f) s += `\\x${c.toString(16).padStart(2, '0')}`;
    else if (c >= 0xd800 && c <= 0xdfff) s += '\ufffd';
    else s += ch;
    if (s.length > max) return `${s.slice(0, max - 1)}…`;
  }
  return s;
}
