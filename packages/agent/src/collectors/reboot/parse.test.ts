import { describe, expect, it } from 'vitest';
import { testdata } from '../testdata/fake-root.js';
import { needsRestartingVerdict, parseRebootRequiredPkgs, rebootFacts } from './parse.js';

describe('reboot', () => {
  it('lists the packages of reboot-required.pkgs once each', () => {
    expect(parseRebootRequiredPkgs(testdata('reboot', 'reboot-required.pkgs.ubuntu.txt'))).toEqual({
      items: ['linux-image-5.15.0-92-generic', 'linux-base'],
      warnings: [],
    });
  });

  it('warns on a line that is not a package name', () => {
    const parsed = parseRebootRequiredPkgs('libc6\nnot a name\n');
    expect(parsed.items).toEqual(['libc6']);
    expect(parsed.warnings).toHaveLength(1);
    expect(parsed.warnings[0]).toMatch(/line 2/);
  });

  it('reads needs-restarting -r by its exit status', () => {
    expect(needsRestartingVerdict({ code: 1, stdout: 'Reboot is required', stderr: '' })).toBe('required');
    expect(needsRestartingVerdict({ code: 0, stdout: '', stderr: '' })).toBe('not-required');
    expect(needsRestartingVerdict({ code: 2, stdout: '', stderr: 'boom' })).toBe('unknown');
    expect(needsRestartingVerdict(null)).toBe('unknown');
  });

  it('merges the reasons', () => {
    expect(
      rebootFacts({ kernel: false, rebootRequiredFile: false, packages: [], needsRestarting: 'unknown' }),
    ).toEqual({ required: false, reasons: [], packages: [] });
    expect(
      rebootFacts({
        kernel: true,
        rebootRequiredFile: true,
        packages: ['linux-base'],
        needsRestarting: 'required',
      }),
    ).toEqual({
      required: true,
      reasons: ['kernel', 'reboot-required-file', 'needs-restarting'],
      packages: ['linux-base'],
    });
  });
});
