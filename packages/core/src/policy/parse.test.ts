import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { PatchloopError } from '../error/codes.js';
import type { PolicyProblem } from './model.js';
import { parsePolicy, parsePolicyText } from './parse.js';

const LINUX_SERVERS_YAML = readFileSync(new URL('testdata/linux-servers.yaml', import.meta.url), 'utf8');

function problemsOf(run: () => unknown): PolicyProblem[] {
  try {
    run();
  } catch (e) {
    expect(e).toBeInstanceOf(PatchloopError);
    expect((e as PatchloopError).code).toBe('PL_POLICY_INVALID');
    return (e as PatchloopError).details.problems as PolicyProblem[];
  }
  throw new Error('expected PL_POLICY_INVALID');
}

describe('parsePolicyText', () => {
  it('reads the documented example with every field', () => {
    const p = parsePolicyText(LINUX_SERVERS_YAML);
    expect(p).toEqual({
      name: 'linux-servers',
      description: null,
      selector: {
        tags: ['linux'],
        os: ['debian', 'ubuntu'],
        groups: [],
        hosts: [],
        exclude: { tags: ['frozen'], os: [], groups: [], hosts: [] },
      },
      approve: { classifications: ['security'], minSeverity: 'medium', deferDays: 7, kevImmediately: true },
      exclude: { packages: ['linux-image-*'] },
      pin: { openssl: '1.1.1n-0+deb10u3' },
      schedule: {
        window: { cron: '0 2 * * 6', duration: '4h', timezone: 'Europe/Berlin' },
        blackout: ['2026-12-24/2026-12-27'],
        autoDeploy: false,
      },
      rings: [
        {
          name: 'pilot',
          selector: { tags: ['pilot'], os: [], groups: [], hosts: [], exclude: expect.any(Object) },
          bake: '24h',
          minSuccess: 1,
          maxConcurrency: null,
          errorBudget: 0,
        },
        {
          name: 'broad',
          selector: expect.objectContaining({ tags: [] }),
          bake: null,
          minSuccess: 1,
          maxConcurrency: '20%',
          errorBudget: 2,
        },
      ],
      reboot: 'if-required',
      scripts: { pre: null, post: null },
    });
  });

  it('fills in the defaults of a minimal policy', () => {
    const p = parsePolicyText('name: everything\n');
    expect(p.approve).toEqual({
      classifications: ['security'],
      minSeverity: null,
      deferDays: 0,
      kevImmediately: true,
    });
    expect(p.exclude).toEqual({ packages: [] });
    expect(p.pin).toEqual({});
    expect(p.schedule).toBeNull();
    expect(p.rings).toEqual([
      {
        name: 'all',
        selector: {
          tags: [],
          os: [],
          groups: [],
          hosts: [],
          exclude: { tags: [], os: [], groups: [], hosts: [] },
        },
        bake: null,
        minSuccess: 1,
        maxConcurrency: null,
        errorBudget: 0,
      },
    ]);
    expect(p.reboot).toBe('if-required');
  });

  it('accepts its own output again (a stored normalized policy parses to itself)', () => {
    const p = parsePolicyText(LINUX_SERVERS_YAML);
    expect(parsePolicy(JSON.parse(JSON.stringify(p)))).toEqual(p);
    expect(parsePolicyText(JSON.stringify(p), 'json')).toEqual(p);
  });

  it('reads JSON', () => {
    const p = parsePolicyText('{"name":"db","selector":{"groups":["databases"]},"reboot":"never"}', 'json');
    expect(p.selector.groups).toEqual(['databases']);
    expect(p.reboot).toBe('never');
  });

  it('reports a JSON syntax error as one problem', () => {
    const problems = problemsOf(() => parsePolicyText('{"name": "db",', 'json'));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ path: '', message: expect.stringMatching(/^not valid JSON/) });
  });

  it('reports a YAML syntax error with its line', () => {
    const problems = problemsOf(() => parsePolicyText('name: db\nselector: { tags: [linux\nreboot: never\n'));
    expect(problems[0]).toMatchObject({ path: '', message: expect.stringMatching(/^not valid YAML/) });
    expect(problems[0]?.line).toBeGreaterThanOrEqual(2);
  });

  it('rejects a document that is not a mapping', () => {
    expect(problemsOf(() => parsePolicy(['name']))).toEqual([
      { path: '', message: expect.stringMatching(/^must be a mapping/) },
    ]);
    expect(problemsOf(() => parsePolicyText('just text'))[0]?.path).toBe('');
  });
});

describe('parse problems, each with its path', () => {
  const BAD = `name: Linux_Servers
colour: blue
selector: { os: ["Debian 12"], exclude: { tags: [frozen], colour: [red] } }
approve:
  classifications: [security, features]
  minSeverity: severe
  deferDays: -1
  kevImmediately: "yes"
exclude:
  packages: ["linux-image-[0-9]*"]
pin: { openssl: 1.1, zlib1g: "" }
schedule:
  window: { cron: "0 25 * * 6", duration: "4 hours", timezone: "Europe/Berlinn" }
  blackout: ["2026-12-27/2026-12-24", "2026-02-30", "2026-12-31"]
rings:
  - { name: pilot, selector: { tags: [pilot] }, bake: "1 day", minSuccess: 1.5 }
  - { name: broad, maxConcurrency: "20 percent", errorBudget: 1.5 }
  - { name: pilot, maxConcurrency: 0, errorBudget: -1 }
reboot: sometimes
`;

  it('collects every problem at once, in document order, with line and column', () => {
    const problems = problemsOf(() => parsePolicyText(BAD));
    expect(problems.map((p) => `${p.path} @${p.line}:${p.column}`)).toEqual([
      'name @1:7',
      'colour @2:9',
      'selector.os[0] @3:18',
      'selector.exclude.colour @3:67',
      'approve.classifications[1] @5:31',
      'approve.minSeverity @6:16',
      'approve.deferDays @7:14',
      'approve.kevImmediately @8:19',
      'exclude.packages[0] @10:14',
      'pin.openssl @11:17',
      'pin.zlib1g @11:30',
      'schedule.window.cron @13:19',
      'schedule.window.duration @13:43',
      'schedule.window.timezone @13:64',
      'schedule.blackout[0] @14:14',
      'schedule.blackout[1] @14:39',
      'rings[0].bake @16:55',
      'rings[0].minSuccess @16:76',
      'rings[1].maxConcurrency @17:36',
      'rings[1].errorBudget @17:63',
      'rings[2].name @18:13',
      'rings[2].maxConcurrency @18:36',
      'rings[2].errorBudget @18:52',
      'reboot @19:9',
    ]);
  });

  it('says what is wrong in words an operator can act on', () => {
    const byPath = new Map(problemsOf(() => parsePolicyText(BAD)).map((p) => [p.path, p.message]));
    expect(byPath.get('rings[1].maxConcurrency')).toBe('must be a number or a percentage like "20%"');
    expect(byPath.get('rings[2].name')).toBe('duplicate ring name "pilot"');
    expect(byPath.get('colour')).toBe(
      'unknown key (allowed: name, description, selector, approve, exclude, pin, schedule, rings, reboot, scripts)',
    );
    expect(byPath.get('schedule.window.cron')).toBe('invalid cron expression: Invalid value for hour: 25');
    expect(byPath.get('schedule.window.timezone')).toMatch(/unknown time zone "Europe\/Berlinn"/);
    expect(byPath.get('schedule.window.duration')).toMatch(/positive duration like "30m", "4h", "1d"/);
    expect(byPath.get('schedule.blackout[0]')).toMatch(/start ≤ end/);
    expect(byPath.get('pin.openssl')).toBe('must be a version string (quote numbers in YAML: "2.0")');
    expect(byPath.get('rings[0].minSuccess')).toBe('must be a number from 0 to 1');
    expect(byPath.get('rings[1].errorBudget')).toBe('must be an integer ≥ 0');
    expect(byPath.get('approve.minSeverity')).toBe('must be one of low, medium, high, critical');
    expect(byPath.get('reboot')).toBe('must be one of never, if-required, always');
  });

  it('puts every problem in the error message too, one per line', () => {
    const message = (() => {
      try {
        parsePolicyText(BAD);
        return '';
      } catch (e) {
        return (e as Error).message;
      }
    })();
    const lines = message.split('\n');
    expect(lines[0]).toBe('policy "Linux_Servers" is invalid (24 problems):');
    expect(lines).toContain(
      '  rings[1].maxConcurrency (line 17, column 36): must be a number or a percentage like "20%"',
    );
  });

  it('without YAML source, problems carry paths only', () => {
    const problems = problemsOf(() =>
      parsePolicy({ name: 'x', rings: [{ name: 'a', maxConcurrency: '120%' }], pin: { 'libapt-pkg5.0': 5 } }),
    );
    expect(problems).toEqual([
      { path: 'pin["libapt-pkg5.0"]', message: 'must be a version string (quote numbers in YAML: "2.0")' },
      { path: 'rings[0].maxConcurrency', message: 'must be a number or a percentage like "20%"' },
    ]);
  });

  it('checks cron fields count, impossible dates, ring lists and name length', () => {
    const paths = (doc: unknown) => problemsOf(() => parsePolicy(doc)).map((p) => `${p.path}: ${p.message}`);
    const window = (cron: string) => ({ name: 'x', schedule: { window: { cron, duration: '1h' } } });
    expect(paths(window('0 0 2 * * 6'))[0]).toMatch(
      /^schedule.window.cron: invalid cron expression: mode '5-part'/,
    );
    expect(paths(window('0 2 31 2 *'))).toEqual(['schedule.window.cron: never matches a date']);
    expect(paths({ name: 'x', rings: [] })).toEqual(['rings: must be a non-empty list of rings']);
    expect(paths({ name: 'x'.repeat(64) })[0]).toMatch(/^name: must be 1–63/);
    expect(paths({ name: 'x', rings: ['pilot'] })).toEqual([
      'rings[0]: must be a mapping with keys name, selector, bake, minSuccess, maxConcurrency, errorBudget',
    ]);
    expect(() => parsePolicy({ name: 'x'.repeat(63), schedule: { blackout: ['2028-02-29'] } })).not.toThrow();
  });
});

describe('schedule.autoDeploy', () => {
  it('starts deployments when the window opens, and needs a window', () => {
    const p = parsePolicy({
      name: 'auto',
      schedule: { window: { cron: '0 2 * * 6', duration: '4h' }, autoDeploy: true },
    });
    expect(p.schedule?.autoDeploy).toBe(true);
    expect(() => parsePolicy({ name: 'auto', schedule: { blackout: [], autoDeploy: true } })).toThrow(
      /needs a window/,
    );
    expect(() => parsePolicy({ name: 'auto', schedule: { autoDeploy: 'yes' } })).toThrow(/true or false/);
  });
});
