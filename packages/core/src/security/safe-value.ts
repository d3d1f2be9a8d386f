/**
 * What no stored field may hold, whatever its schema: NUL characters and lone
 * UTF-16 surrogates (PostgreSQL's text and jsonb refuse both, so they failed
 * deep in a query as a 500), and integers beyond what a 64-bit column (or a
 * JavaScript number, exactly) holds, or numbers past any (1e400 parses to
 * Infinity). Checked on every parsed request body and on decoded path and
 * query values.
 */

// A high surrogate not followed by a low one, or a low one not preceded by a high one.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function textProblem(s: string): string | null {
  if (s.includes('\u0000')) return 'contains a NUL character';
  if (LONE_SURROGATE.test(s)) return 'contains a lone UTF-16 surrogate (not valid Unicode text)';
  return null;
}

/**
 * The first problem in a parsed JSON (or YAML) value, as "path: what", or null
 * when there is none. Keys are checked like values. Iterative: a deeply nested
 * value cannot exhaust the stack.
 */
export function unsafeValueProblem(value: unknown, root = 'the request body'): string | null {
  const where = (path: string) => (path === '' ? root : path);
  const stack: [unknown, string][] = [[value, '']];
  while (stack.length > 0) {
    const [v, path] = stack.pop() as [unknown, string];
    if (typeof v === 'string') {
      const p = textProblem(v);
      if (p) return `${where(path)} ${p}`;
    } else if (typeof v === 'number') {
      if (!Number.isFinite(v)) return `${where(path)} is not a finite number`;
      if (Number.isInteger(v) && !Number.isSafeInteger(v)) {
        return `${where(path)} is an integer beyond ±${Number.MAX_SAFE_INTEGER}`;
      }
    } else if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push([v[i], `${path}[${i}]`]);
    } else if (v !== null && typeof v === 'object') {
      for (const [k, child] of Object.entries(v)) {
        const p = textProblem(k);
        if (p) return `a key of ${where(path)} ${p}`;
        stack.push([child, path === '' ? k : `${path}.${k}`]);
      }
    }
  }
  return null;
}
