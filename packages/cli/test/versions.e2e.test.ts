import { describe, expect, it } from 'vitest';
import { patchloop } from './run.js';

describe('patchloop versions compare', () => {
  it.each([
    ['debian', '1.0-1', '1.0-1+deb12u1', '-1'],
    ['debian', '1:0.9', '2.0', '1'],
    ['ubuntu', '1.0', '1.0-0', '0'],
    ['rpm', '1:1.0-1.el9', '2.0-1.el9', '1'],
    ['rpm', '1.0~rc1-1', '1.0-1', '-1'],
    ['almalinux', '3.0.7-25.el9_3', '3.0.7-27.el9', '-1'],
    ['apk', '1.2.3-r1', '1.2.3_rc1-r5', '1'],
    ['alpine', '3.0.8-r0', '3.0.8-r0', '0'],
    ['semver', '1.0.0-rc.1', '1.0.0', '-1'],
  ])('--ecosystem %s %s %s prints %s', (eco, a, b, want) => {
    const r = patchloop(['versions', 'compare', '--ecosystem', eco, a, b]);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe(`${want}\n`);
    expect(r.status).toBe(0);
  });

  it('rejects an invalid version with a stable code and exit 1', () => {
    const r = patchloop(['versions', 'compare', '--ecosystem', 'debian', '1.0', 'foo']);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      'error PL_VERSION_INVALID: invalid debian version "foo": version number does not start with digit\n',
    );
    expect(r.status).toBe(1);
  });

  it('rejects an unknown ecosystem and missing arguments as usage errors (exit 2)', () => {
    const unknown = patchloop(['versions', 'compare', '--ecosystem', 'gentoo', '1', '2']);
    expect(unknown.stderr).toMatch(
      /^error PL_VERSION_SCHEME_UNKNOWN: unknown version scheme or ecosystem "gentoo"/,
    );
    expect(unknown.status).toBe(2);
    const missing = patchloop(['versions', 'compare', '--ecosystem', 'debian', '1.0']);
    expect(missing.stderr).toMatch(/^error PL_USAGE: compare needs two versions/);
    expect(missing.status).toBe(2);
    const noEco = patchloop(['versions', 'compare', '1', '2']);
    expect(noEco.stderr).toMatch(/required option '-e, --ecosystem <name>' not specified/);
    expect(noEco.status).toBe(2);
  });

  it('--stdin answers one line per pair, in order, and keeps going after a bad line', () => {
    const input =
      ['1.0-1 1.0-2', '2:1.0\t1:9.9', 'foo 1.0', '1.0 1.0-0', '', 'only-one', '1.0~rc1 1.0'].join('\n') +
      '\n';
    const r = patchloop(['versions', 'compare', '--ecosystem', 'debian', '--stdin'], input);
    expect(r.stdout.split('\n')).toEqual([
      '-1',
      '1',
      'error PL_VERSION_INVALID: invalid debian version "foo": version number does not start with digit',
      '0',
      'error PL_INPUT_LINE_INVALID: expected two versions separated by whitespace, got 0',
      'error PL_INPUT_LINE_INVALID: expected two versions separated by whitespace, got 1',
      '-1',
      '',
    ]);
    expect(r.status).toBe(1);
  });

  it('--stdin exits 0 when every line is valid, and handles 50,000 lines', () => {
    const lines = Array.from({ length: 50_000 }, (_, i) => `1.${i}-1 1.${50_000 - i}-1`);
    const r = patchloop(['versions', 'compare', '--ecosystem', 'debian', '--stdin'], lines.join('\n'));
    expect(r.status).toBe(0);
    const out = r.stdout.trimEnd().split('\n');
    expect(out).toHaveLength(50_000);
    expect(out[0]).toBe('-1');
    expect(out[25_000]).toBe('0');
    expect(out[49_999]).toBe('1');
  });
});

describe('patchloop versions sort', () => {
  it('sorts Debian versions as dpkg does, stable for equal versions', () => {
    const input = ['1.0-1', '1:0.9', '1.0~rc1-1', '1.0-1+b1', '1.0', '1.0-0', '0.9'].join('\n');
    const r = patchloop(['versions', 'sort', '--ecosystem', 'debian'], input);
    expect(r.stdout).toBe(['0.9', '1.0~rc1-1', '1.0', '1.0-0', '1.0-1', '1.0-1+b1', '1:0.9', ''].join('\n'));
    expect(r.status).toBe(0);
  });

  it('sorts newest first with --reverse', () => {
    const r = patchloop(['versions', 'sort', '-e', 'semver', '--reverse'], '1.0.0\n1.0.0-rc.1\n2.0.0\n');
    expect(r.stdout).toBe('2.0.0\n1.0.0\n1.0.0-rc.1\n');
  });

  it('names every invalid line and prints nothing else', () => {
    const r = patchloop(['versions', 'sort', '-e', 'debian'], '1.0\nfoo\n2.0\n1.0-\n');
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      'line 2: error PL_VERSION_INVALID: invalid debian version "foo": version number does not start with digit\n' +
        'line 4: error PL_VERSION_INVALID: invalid debian version "1.0-": revision number is empty\n',
    );
    expect(r.status).toBe(1);
  });
});

describe('patchloop', () => {
  it('--version prints the version', () => {
    const r = patchloop(['--version']);
    expect(r.stdout).toMatch(/^\d+\.\d+\.\d+\n$/);
    expect(r.status).toBe(0);
  });

  it('--help lists the commands', () => {
    const r = patchloop(['--help']);
    expect(r.stdout).toContain('versions');
    expect(r.stdout).toContain('up');
    expect(r.status).toBe(0);
  });

  it('an unknown command is a usage error', () => {
    const r = patchloop(['frobnicate']);
    expect(r.stderr).toContain("unknown command 'frobnicate'");
    expect(r.status).toBe(2);
  });
});
