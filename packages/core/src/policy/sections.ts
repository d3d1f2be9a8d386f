/**
 * The sections of a policy document, read with defaults filled in. `read`
 * returns the policy (with placeholders where a value was invalid) and every
 * problem found; parse.ts decides what to throw.
 */
import type {
  PolicyClassification,
  PolicyDocument,
  Ring,
  Schedule,
  Selector,
  SelectorCriteria,
} from './model.js';
import { EMPTY_CRITERIA, POLICY_CLASSIFICATIONS, POLICY_SEVERITIES, REBOOT_MODES } from './model.js';
import { GLOB_RE, POLICY_NAME_RE, isConcurrency, parseBlackout } from './values.js';
import { cronProblem, timeZoneProblem } from './window.js';
import { Reader, absent } from './reader.js';
import type { Path, RawProblem } from './reader.js';

const osEntry = (s: string): string | null =>
  /^[a-z0-9._-]+(:[A-Za-z0-9._~-]+)?$/.test(s)
    ? null
    : 'must be an os-release ID or ID:VERSION_ID like "debian:12"';
const glob = (s: string): string | null =>
  GLOB_RE.test(s) ? null : 'must be a package name glob (letters, digits, . + - _ : and the wildcards * ?)';
const CRITERIA_KEYS = ['tags', 'os', 'groups', 'hosts'] as const;

function criteria(r: Reader, o: Record<string, unknown>, path: Path): SelectorCriteria {
  return {
    tags: r.strings(o.tags, [...path, 'tags']),
    os: r.strings(o.os, [...path, 'os'], osEntry),
    groups: r.strings(o.groups, [...path, 'groups']),
    hosts: r.strings(o.hosts, [...path, 'hosts']),
  };
}

function selector(r: Reader, v: unknown, path: Path): Selector {
  const o = r.object(v, path, [...CRITERIA_KEYS, 'exclude']) ?? {};
  const ex = r.object(o.exclude, [...path, 'exclude'], CRITERIA_KEYS) ?? {};
  return { ...criteria(r, o, path), exclude: criteria(r, ex, [...path, 'exclude']) };
}

function schedule(r: Reader, v: unknown): Schedule | null {
  if (v === undefined || v === null) return null;
  const o = r.object(v, ['schedule'], ['window', 'blackout', 'autoDeploy']) ?? {};
  let window: Schedule['window'] = null;
  if (o.window !== undefined && o.window !== null) {
    const path = ['schedule', 'window'];
    const w = r.object(o.window, path, ['cron', 'duration', 'timezone']) ?? {};
    const timezone = w.timezone ?? 'UTC';
    const tzProblem = typeof timezone === 'string' ? timeZoneProblem(timezone) : 'must be a string';
    if (tzProblem !== null) r.fail([...path, 'timezone'], tzProblem);
    const cron = w.cron;
    const cronIssue =
      typeof cron === 'string' ? cronProblem(cron, tzProblem === null ? (timezone as string) : 'UTC') : null;
    if (typeof cron !== 'string')
      r.fail([...path, 'cron'], 'must be a five-field cron expression like "0 2 * * 6"');
    else if (cronIssue !== null) r.fail([...path, 'cron'], cronIssue);
    const duration = r.duration(w.duration, [...path, 'duration'], true);
    window = { cron: String(cron), duration: duration ?? '', timezone: String(timezone) };
  }
  const blackout = r.strings(o.blackout, ['schedule', 'blackout'], (s) =>
    parseBlackout(s) === null
      ? 'must be a day "YYYY-MM-DD" or a range "YYYY-MM-DD/YYYY-MM-DD" (start ≤ end)'
      : null,
  );
  if (o.autoDeploy !== undefined && typeof o.autoDeploy !== 'boolean') {
    r.fail(['schedule', 'autoDeploy'], 'must be true or false');
  }
  if (o.autoDeploy === true && window === null) {
    r.fail(['schedule', 'autoDeploy'], 'needs a window: a deployment starts when the window opens');
  }
  return { window, blackout, autoDeploy: o.autoDeploy === true };
}

/** The ring of a policy that names none: every host, at once. */
const DEFAULT_RING: Ring = {
  name: 'all',
  selector: { ...EMPTY_CRITERIA, exclude: EMPTY_CRITERIA },
  bake: null,
  minSuccess: 1,
  maxConcurrency: null,
  errorBudget: 0,
};

function ring(r: Reader, v: unknown, path: Path): Ring {
  const keys = ['name', 'selector', 'bake', 'minSuccess', 'maxConcurrency', 'errorBudget'];
  const o = r.object(v, path, keys, false);
  if (o === undefined) return { ...DEFAULT_RING, name: '' };
  const name = typeof o.name === 'string' && POLICY_NAME_RE.test(o.name) ? o.name : undefined;
  if (name === undefined) r.fail([...path, 'name'], 'must be a name of lower-case letters, digits and -');
  const max = o.maxConcurrency ?? null;
  if (max !== null && !isConcurrency(max)) {
    r.fail([...path, 'maxConcurrency'], 'must be a number or a percentage like "20%"');
  }
  const opt = <T>(x: unknown, read: () => T | undefined, dflt: T): T =>
    x === undefined || x === null ? dflt : (read() ?? dflt);
  return {
    name: name ?? '',
    selector: selector(r, o.selector, [...path, 'selector']),
    bake: opt(o.bake, () => r.duration(o.bake, [...path, 'bake'], false), null),
    minSuccess: opt(
      o.minSuccess,
      () => r.number(o.minSuccess, [...path, 'minSuccess'], (n) => n >= 0 && n <= 1, 'a number from 0 to 1'),
      1,
    ),
    maxConcurrency: isConcurrency(max) ? (max as number | string) : null,
    errorBudget: opt(
      o.errorBudget,
      () =>
        r.number(
          o.errorBudget,
          [...path, 'errorBudget'],
          (n) => Number.isInteger(n) && n >= 0,
          'an integer ≥ 0',
        ),
      0,
    ),
  };
}

function rings(r: Reader, v: unknown): Ring[] {
  if (v === undefined || v === null) return [DEFAULT_RING];
  if (!Array.isArray(v) || v.length === 0)
    return r.fail(['rings'], 'must be a non-empty list of rings') ?? [];
  const out = v.map((item, i) => ring(r, item, ['rings', i]));
  const seen = new Set<string>();
  out.forEach((x, i) => {
    if (x.name !== '' && seen.has(x.name))
      r.fail(['rings', i, 'name'], `duplicate ring name ${JSON.stringify(x.name)}`);
    seen.add(x.name);
  });
  return out;
}

const TOP_KEYS = [
  'name',
  'description',
  'selector',
  'approve',
  'exclude',
  'pin',
  'schedule',
  'rings',
  'reboot',
  'scripts',
];
const APPROVE_KEYS = ['classifications', 'minSeverity', 'deferDays', 'kevImmediately'];

function pins(r: Reader, v: unknown): Record<string, string> {
  const pin: Record<string, string> = {};
  if (absent(v)) return pin;
  if (typeof v !== 'object' || Array.isArray(v)) {
    return r.fail(['pin'], 'must be a mapping of package name to version') ?? pin;
  }
  for (const [pkg, version] of Object.entries(v as Record<string, unknown>)) {
    if (typeof version === 'string' && version.trim() !== '' && !/\s/.test(version)) pin[pkg] = version;
    else r.fail(['pin', pkg], 'must be a version string (quote numbers in YAML: "2.0")');
  }
  return pin;
}

function approve(r: Reader, v: unknown): PolicyDocument['approve'] {
  const a = r.object(v, ['approve'], APPROVE_KEYS) ?? {};
  const path = (k: string): Path => ['approve', k];
  const classifications = r.strings(
    absent(a.classifications) ? ['security'] : a.classifications,
    path('classifications'),
    (s) =>
      (POLICY_CLASSIFICATIONS as readonly string[]).includes(s)
        ? null
        : `must be one of ${POLICY_CLASSIFICATIONS.join(', ')}`,
  ) as PolicyClassification[];
  const minSeverity = absent(a.minSeverity)
    ? null
    : (r.oneOf(a.minSeverity, path('minSeverity'), POLICY_SEVERITIES) ?? null);
  const deferDays = absent(a.deferDays)
    ? 0
    : (r.number(
        a.deferDays,
        path('deferDays'),
        (n) => Number.isInteger(n) && n >= 0 && n <= 3650,
        'a whole number of days from 0 to 3650',
      ) ?? 0);
  if (!absent(a.kevImmediately) && typeof a.kevImmediately !== 'boolean')
    r.fail(path('kevImmediately'), 'must be true or false');
  return { classifications, minSeverity, deferDays, kevImmediately: a.kevImmediately !== false };
}

/** Shell scripts run on each host around the install: a failing `pre` skips it, a failing `post` fails it. */
function scripts(r: Reader, v: unknown): PolicyDocument['scripts'] {
  const o = r.object(v, ['scripts'], ['pre', 'post']) ?? {};
  const one = (k: 'pre' | 'post'): string | null => {
    const x = o[k];
    if (absent(x)) return null;
    if (typeof x !== 'string' || x.trim() === '' || x.length > 16_384) {
      r.fail(['scripts', k], 'must be a non-empty shell script of at most 16 KiB');
      return null;
    }
    return x;
  };
  return { pre: one('pre'), post: one('post') };
}

export function read(doc: unknown): { policy: PolicyDocument; problems: RawProblem[] } {
  const r = new Reader();
  const top = r.object(doc, [], TOP_KEYS, false);
  const o = top ?? {};
  const name = typeof o.name === 'string' && POLICY_NAME_RE.test(o.name) ? o.name : '';
  if (name === '' && top !== undefined)
    r.fail(['name'], 'must be 1–63 lower-case letters, digits and -, starting with a letter or digit');
  const description = o.description ?? null;
  if (description !== null && typeof description !== 'string') r.fail(['description'], 'must be a string');
  const ex = r.object(o.exclude, ['exclude'], ['packages']) ?? {};
  const policy: PolicyDocument = {
    name,
    description: typeof description === 'string' ? description : null,
    selector: selector(r, o.selector, ['selector']),
    approve: approve(r, o.approve),
    exclude: { packages: r.strings(ex.packages, ['exclude', 'packages'], glob) },
    pin: pins(r, o.pin),
    schedule: schedule(r, o.schedule),
    rings: rings(r, o.rings),
    reboot: absent(o.reboot) ? 'if-required' : (r.oneOf(o.reboot, ['reboot'], REBOOT_MODES) ?? 'if-required'),
    scripts: scripts(r, o.scripts),
  };
  return { policy, problems: r.problems };
}
