/**
 * Reads a CVSS vector string: detects its version and checks every metric
 * against the specification's tables (metrics.ts). Strict on content, lenient
 * on order:
 *
 * - "CVSS:3.0/…", "CVSS:3.1/…" and "CVSS:4.0/…" name their version. A vector
 *   without a prefix is v2, as NVD and CVE records write it
 *   ("AV:N/AC:L/Au:N/C:P/I:P/A:P"); NVD's older form in parentheses and a
 *   "CVSS:2.0/" prefix (some scanners write one) are accepted too.
 * - Every metric is METRIC:VALUE with a known metric and an allowed value
 *   (case-sensitive), appears at most once, and every base metric is present.
 * - Metrics may come in any order. The v3 specifications allow it; FIRST's v4
 *   JSON schema lists them in a fixed order, but the order never changes the
 *   score, so an out-of-order v4 vector is scored rather than thrown away.
 * - Leading and trailing whitespace is trimmed; anything else (inner spaces,
 *   a trailing "/", lowercase values) is invalid.
 */
import type { CvssVersion } from '../advisory/model.js';
import { PatchloopError } from '../error/codes.js';
import { CVSS_METRICS } from './metrics.js';

export interface CvssVector {
  readonly version: CvssVersion;
  /** The vector as given, trimmed. */
  readonly vector: string;
  /** Metric → value, in the order given. */
  readonly metrics: ReadonlyMap<string, string>;
  /**
   * The metrics only ("AV:N/AC:L/…"), without prefix or parentheses: what the
   * CVSS library is given after the prefix of its version.
   */
  readonly body: string;
}

const PREFIXES: Readonly<Record<string, CvssVersion>> = {
  'CVSS:2.0': '2.0',
  'CVSS:3.0': '3.0',
  'CVSS:3.1': '3.1',
  'CVSS:4.0': '4.0',
};

/** The PL_CVSS_INVALID error for a vector, with the reason in the message and in `details.reason`. */
export function cvssInvalid(
  vector: string,
  reason: string,
  details: Record<string, unknown> = {},
): PatchloopError {
  return new PatchloopError('PL_CVSS_INVALID', `invalid CVSS vector ${JSON.stringify(vector)}: ${reason}`, {
    vector,
    reason,
    ...details,
  });
}

/** Parses and validates a vector; throws PatchloopError PL_CVSS_INVALID with the reason. */
export function parseCvssVector(input: string): CvssVector {
  if (typeof input !== 'string') throw cvssInvalid(String(input), 'not a string');
  const vector = input.trim();
  if (vector === '') throw cvssInvalid(vector, 'empty vector');

  let version: CvssVersion;
  let body: string;
  let prefixed = true;
  if (vector.startsWith('CVSS:')) {
    const slash = vector.indexOf('/');
    const prefix = slash < 0 ? vector : vector.slice(0, slash);
    const known = PREFIXES[prefix];
    if (known === undefined)
      throw cvssInvalid(vector, `unknown CVSS version prefix ${JSON.stringify(prefix)}`);
    version = known;
    body = slash < 0 ? '' : vector.slice(slash + 1);
  } else {
    version = '2.0';
    prefixed = false;
    body = vector.startsWith('(') && vector.endsWith(')') ? vector.slice(1, -1) : vector;
  }
  if (body === '') throw cvssInvalid(vector, 'no metrics', { version });

  const table = CVSS_METRICS[version];
  const metrics = new Map<string, string>();
  for (const part of body.split('/')) {
    if (part === '') throw cvssInvalid(vector, 'empty metric (a stray "/")', { version });
    const colon = part.indexOf(':');
    if (colon <= 0 || colon === part.length - 1 || part.indexOf(':', colon + 1) >= 0) {
      throw cvssInvalid(vector, `${JSON.stringify(part)} is not METRIC:VALUE`, { version });
    }
    const metric = part.slice(0, colon);
    const value = part.slice(colon + 1);
    const spec = table.get(metric);
    if (spec === undefined) {
      const hint = prefixed ? '' : ' (a vector without a "CVSS:x.y/" prefix is read as v2)';
      throw cvssInvalid(vector, `unknown metric ${JSON.stringify(metric)} for CVSS v${version}${hint}`, {
        version,
        metric,
      });
    }
    if (metrics.has(metric)) {
      throw cvssInvalid(vector, `metric ${metric} is given more than once`, { version, metric });
    }
    if (!spec.values.includes(value)) {
      throw cvssInvalid(
        vector,
        `value ${JSON.stringify(value)} is not allowed for ${metric} in CVSS v${version} (allowed: ${spec.values.join(', ')})`,
        { version, metric, value },
      );
    }
    metrics.set(metric, value);
  }

  const missing = [...table.values()].filter((s) => s.base && !metrics.has(s.key)).map((s) => s.key);
  if (missing.length > 0) {
    throw cvssInvalid(
      vector,
      `missing base metric${missing.length > 1 ? 's' : ''} ${missing.join(', ')} for CVSS v${version}`,
      { version, missing },
    );
  }
  return { version, vector, metrics, body };
}
