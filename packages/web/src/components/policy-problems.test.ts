import { describe, expect, it } from 'vitest';
import { policyProblems, problemsOf } from './policy-problems.js';

describe('policy problems in the browser', () => {
  it('finds nothing wrong in a valid policy', () => {
    expect(policyProblems('name: ok\nselector: { tags: [linux] }\nreboot: never\n')).toEqual([]);
  });

  it("reports each problem with core's path and line, as the server does", () => {
    const problems = policyProblems('name: bad\nreboot: sometimes\napprove:\n  minSeverity: huge\n');
    expect(problems.map((p) => [p.path, p.line])).toEqual(
      expect.arrayContaining([
        ['reboot', 2],
        ['approve.minSeverity', 4],
      ]),
    );
    expect(problems.every((p) => p.message.length > 0)).toBe(true);
  });

  it('reports broken YAML instead of throwing', () => {
    const problems = policyProblems('name: [unclosed\n');
    expect(problems.length).toBeGreaterThan(0);
    expect(problems[0]?.line).toBeGreaterThanOrEqual(1);
  });

  it("reads problems from an API error's details", () => {
    expect(problemsOf({ problems: [{ path: 'x', message: 'y', line: 3 }] })).toEqual([
      { path: 'x', message: 'y', line: 3 },
    ]);
    expect(problemsOf(undefined)).toEqual([]);
    expect(problemsOf({ other: 1 })).toEqual([]);
  });
});
