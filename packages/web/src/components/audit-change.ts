/**
 * Audit events for people: what changed as field, before and after (nested
 * values flattened to dotted fields, lists written out: never raw JSON), and
 * where each target and actor lives in the console. Pure.
 */

export interface ChangeRow {
  readonly field: string;
  readonly before: string;
  readonly after: string;
}

const NONE = '—';
const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** A value as one line: lists comma-separated, an object in a list as its values ("openssl 3.0.15"). */
function text(v: unknown): string {
  if (v === null || v === undefined) return NONE;
  if (typeof v === 'boolean') return v ? 'yes' : 'no';
  if (Array.isArray(v)) return v.length === 0 ? 'none' : v.map(text).join(', ');
  if (isObject(v)) return Object.keys(v).length === 0 ? 'none' : Object.values(v).map(text).join(' ');
  return String(v);
}

/** Every leaf of a value under its dotted path; lists are leaves. */
function flatten(v: unknown, path: string, out: Map<string, string>): Map<string, string> {
  if (isObject(v) && Object.keys(v).length > 0) {
    for (const [k, x] of Object.entries(v)) flatten(x, path ? `${path}.${k}` : k, out);
  } else if (v !== undefined) out.set(path || 'value', text(v));
  return out;
}

/**
 * The rows of a change. An edit (an object before and after) shows the fields
 * that differ; a creation, deletion or other event shows every field it records.
 */
export function changeRows(before: unknown, after: unknown): ChangeRow[] {
  const b =
    before === null || before === undefined ? new Map<string, string>() : flatten(before, '', new Map());
  const a = after === null || after === undefined ? new Map<string, string>() : flatten(after, '', new Map());
  const edit = isObject(before) && isObject(after);
  const fields = [...new Set([...b.keys(), ...a.keys()])];
  return fields
    .map((field) => ({ field, before: b.get(field) ?? NONE, after: a.get(field) ?? NONE }))
    .filter((r) => !edit || r.before !== r.after);
}

/** "criticality: tier2 → tier0; owner: — → team-a" (a field only created shows its new value). */
export function changeSummary(before: unknown, after: unknown): string {
  const rows = changeRows(before, after);
  if (rows.length === 0) return after === null || after === undefined ? (before ? 'removed' : '') : '';
  const created = before === null || before === undefined;
  return rows.map((r) => `${r.field}: ${created ? r.after : `${r.before} → ${r.after}`}`).join('; ');
}

/** Where an audit target (`<kind>:<id>`) is shown in the console, or null. */
export function auditTargetHref(target: string): string | null {
  const i = target.indexOf(':');
  const kind = i < 0 ? target : target.slice(0, i);
  const id = i < 0 ? '' : target.slice(i + 1);
  const enc = encodeURIComponent(id);
  switch (kind) {
    case 'host':
      return /^\d+$/.test(id) ? `/hosts/${id}` : null;
    case 'policy':
      return id ? `/policies/${enc}` : '/policies';
    case 'deployment':
      return /^\d+$/.test(id) ? `/deployments/${id}` : '/deployments';
    case 'exception':
      return '/exceptions';
    case 'user':
    case 'session':
      return '/settings#users-title';
    case 'token':
      return '/settings#tokens-title';
    case 'setting':
      return id === 'enrollment' || id.startsWith('enroll')
        ? '/settings#enroll-title'
        : '/settings#risk-title';
    case 'feed':
    case 'feeds':
      return '/settings#feeds-title';
    default:
      return null;
  }
}

/** An agent acts as `agent:<host id>`: its host's page. */
export function auditActorHref(actor: string): string | null {
  const m = /^agent:(\d+)$/.exec(actor);
  return m ? `/hosts/${m[1]}` : null;
}
