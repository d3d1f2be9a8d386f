/**
 * A small strict reader for decoded policy data: each check records a
 * problem at its path instead of throwing, so one pass reports them all.
 */
import { parseDuration } from './values.js';

export type Segment = string | number;
export type Path = readonly Segment[];
export interface RawProblem {
  readonly path: Path;
  readonly message: string;
}

/** Renders a path as `rings[1].maxConcurrency` (keys that are not plain words as `pin["libapt-pkg5.0"]`). */
export function formatPath(path: Path): string {
  return path
    .map((s, i) =>
      typeof s === 'number'
        ? `[${s}]`
        : /^[A-Za-z_][A-Za-z0-9_]*$/.test(s)
          ? `${i === 0 ? '' : '.'}${s}`
          : `[${JSON.stringify(s)}]`,
    )
    .join('');
}

export class Reader {
  readonly problems: RawProblem[] = [];

  fail(path: Path, message: string): undefined {
    this.problems.push({ path, message });
    return undefined;
  }

  /** A mapping with only `keys`; unknown keys are reported. undefined/null → {} when optional. */
  object(
    v: unknown,
    path: Path,
    keys: readonly string[],
    optional = true,
  ): Record<string, unknown> | undefined {
    if ((v === undefined || v === null) && optional) return {};
    if (typeof v !== 'object' || v === null || Array.isArray(v)) {
      return this.fail(path, `must be a mapping with keys ${keys.join(', ')}`);
    }
    const o = v as Record<string, unknown>;
    for (const k of Object.keys(o)) {
      if (!keys.includes(k)) this.fail([...path, k], `unknown key (allowed: ${keys.join(', ')})`);
    }
    return o;
  }

  /** A list of strings each passing `check` (which returns a problem or null). */
  strings(v: unknown, path: Path, check: (s: string) => string | null = nonEmpty): string[] {
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v)) return this.fail(path, 'must be a list of strings') ?? [];
    const out: string[] = [];
    v.forEach((item, i) => {
      const problem = typeof item === 'string' ? check(item) : 'must be a string';
      if (problem === null) out.push(item as string);
      else this.fail([...path, i], problem);
    });
    return out;
  }

  oneOf<T extends string>(v: unknown, path: Path, allowed: readonly T[]): T | undefined {
    if (typeof v === 'string' && (allowed as readonly string[]).includes(v)) return v as T;
    return this.fail(path, `must be one of ${allowed.join(', ')}`);
  }

  number(v: unknown, path: Path, ok: (n: number) => boolean, what: string): number | undefined {
    if (typeof v === 'number' && Number.isFinite(v) && ok(v)) return v;
    return this.fail(path, `must be ${what}`);
  }

  duration(v: unknown, path: Path, positive: boolean): string | undefined {
    const ms = typeof v === 'string' ? parseDuration(v) : null;
    if (ms !== null && (!positive || ms > 0)) return v as string;
    return this.fail(
      path,
      `must be a ${positive ? 'positive ' : ''}duration like "30m", "4h", "1d" or "1h30m"`,
    );
  }
}

export const nonEmpty = (s: string): string | null => (s.trim() === '' ? 'must not be empty' : null);
export const absent = (v: unknown): v is undefined | null => v === undefined || v === null;
