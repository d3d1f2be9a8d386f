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
