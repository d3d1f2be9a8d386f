/**
 * The one duration grammar, for policy documents (window durations, ring
 * bake times), server settings (PATCHLOOP_CHECKIN_INTERVAL, …) and
 * `patchloop agent --interval`: whole numbers with units, largest unit first,
 * each unit at most once: `d`, `h`, `m`, `s`, `ms` ("7d", "4h", "1h30m",
 * "90s", "1m30s", "500ms"). It accepts everything the policy grammar
 * (compound d/h/m/s) and the server's (one number with ms/s/m/h/d) accepted.
 */

const DURATION_RE = /^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?(?:(\d+)ms)?$/;
const SECOND_MS = 1000;
const MINUTE_MS = 60 * SECOND_MS;
const HOUR_MS = 60 * MINUTE_MS;
export const DAY_MS = 24 * HOUR_MS;

/** A duration as text → milliseconds; null when it is not one (no spaces, no fractions, no sign). */
export function parseDuration(text: string): number | null {
  const m = DURATION_RE.exec(text);
  if (m === null || text === '') return null;
  const [, d = '0', h = '0', min = '0', sec = '0', ms = '0'] = m;
  return (
    Number(d) * DAY_MS + Number(h) * HOUR_MS + Number(min) * MINUTE_MS + Number(sec) * SECOND_MS + Number(ms)
  );
}
