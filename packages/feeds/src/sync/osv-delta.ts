/**
 * OSV's `<Ecosystem>/modified_id.csv`: one `<RFC3339>,<ID>` line per record,
 * newest first, no header. Read from disk line by line and only as far as
 * needed: up to the last sync's timestamp, or until there are more changes
 * than the threshold (then the caller downloads all.zip instead).
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';

/**
 * A key that sorts like the instant an RFC 3339 time names, to the
 * nanosecond (Date.parse stops at milliseconds); null when it is not one.
 */
export function timeKey(ts: string): string | null {
  const m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/i.exec(ts.trim());
  if (!m) return null;
  const secs = Date.parse(`${m[1]}${m[3]}`);
  if (!Number.isFinite(secs)) return null;
  return `${String(secs / 1000).padStart(12, '0')}.${(m[2] ?? '').padEnd(9, '0')}`;
}

export interface ModifiedScan {
  /** The newest timestamp in the file (its first line), or null when it has none. */
  readonly newest: string | null;
  /** The IDs changed after `since`, newest first; null when there are more than `max`. */
  readonly ids: string[] | null;
}

export async function scanModifiedIds(
  path: string,
  since: string | null,
  max: number,
): Promise<ModifiedScan> {
  const sinceKey = since === null ? null : timeKey(since);
  const input = createReadStream(path, 'utf8');
  const lines = createInterface({ input, crlfDelay: Infinity });
  let newest: string | null = null;
  const ids = new Set<string>();
  let overflow = false;
  try {
    for await (const raw of lines) {
      const line = raw.trim();
      if (line === '') continue;
      const comma = line.indexOf(',');
      const ts = comma > 0 ? line.slice(0, comma) : '';
      const id = comma > 0 ? line.slice(comma + 1).trim() : '';
      const key = timeKey(ts);
      if (key === null || id === '') continue;
      newest ??= ts;
      if (sinceKey === null || key <= sinceKey) break;
      ids.add(id);
      if (ids.size > max) {
        overflow = true;
        break;
      }
    }
  } finally {
    lines.close();
    input.destroy();
  }
  return { newest, ids: overflow || sinceKey === null ? null : [...ids] };
}
