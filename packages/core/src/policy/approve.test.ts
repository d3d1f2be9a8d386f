/**
 * Fix approval, with real Debian buster advisories from
 * ../shared/fixtures/debian-security-tracker/DSA-list.txt:
 *   [20 Jul 2021] DSA-4942-1 systemd {CVE-2021-33910}  [buster] - systemd 241-7~deb10u8
 *   [26 Jan 2021] DSA-4839-1 sudo    {CVE-2021-3156}   [buster] - sudo 1.8.27-1+deb10u3
 *     (CVE-2021-3156 is in the CISA KEV catalog fixture, added 2022-04-06)
 *   [10 Feb 2021] DSA-4850-1 libzstd {CVE-2021-24031}  [buster] - libzstd 1.3.8+dfsg-3+deb10u1
 *   [20 Feb 2021] DSA-4859-1 libzstd {CVE-2021-24032}  [buster] - libzstd 1.3.8+dfsg-3+deb10u2
 */
import { describe, expect, it } from 'vitest';
import { debian } from '../version/debian.js';
import type { VersionScheme } from '../version/scheme.js';
import { activeException, approvedFrom, decideFix, policyClassification } from './approve.js';
import type { FixCandidate, PolicyException } from './approve.js';
import { parsePolicy } from './parse.js';

const scheme = debian as VersionScheme<unknown>;

const systemd: FixCandidate = {
  advisoryId: 'DSA-4942-1',
  aliases: ['CVE-2021-33910'],
  package: 'libsystemd0',
  sourcePackage: 'systemd',
  version: '241-7~deb10u8',
  classification: 'security',
  severity: 'high',
  kev: false,
  published: '2021-07-20',
};
const sudo: FixCandidate = {
  advisoryId: 'DSA-4839-1',
  aliases: ['CVE-2021-3156'],
  package: 'sudo',
  sourcePackage: 'sudo',
  version: '1.8.27-1+deb10u3',
  classification: 'security',
  severity: 'high',
  kev: true,
  published: '2021-01-26',
};
const zstd1: FixCandidate = {
  ...systemd,
  advisoryId: 'DSA-4850-1',
  aliases: ['CVE-2021-24031'],
  package: 'libzstd1',
  sourcePackage: 'libzstd',
  version: '1.3.8+dfsg-3+deb10u1',
  published: '2021-02-10',
};
const zstd2: FixCandidate = {
  ...zstd1,
  advisoryId: 'DSA-4859-1',
  aliases: ['CVE-2021-24032'],
  version: '1.3.8+dfsg-3+deb10u2',
  published: '2021-02-20',
};

const policy = (doc: object) => parsePolicy({ name: 'buster', ...doc });
const decide = (doc: object, fix: FixCandidate, at: string, exceptions: PolicyException[] = []) =>
  decideFix(policy(doc), fix, { at: new Date(at), scheme, exceptions });
const reason = (d: ReturnType<typeof decideFix>) => (d.approved ? 'approved' : d.reason);

describe('deferral', () => {
  const deferred = { approve: { deferDays: 7 } };

  it('approves exactly at published + deferDays (UTC midnight of the advisory date + 7 days)', () => {
    expect(approvedFrom(policy(deferred), systemd)?.toISOString()).toBe('2021-07-27T00:00:00.000Z');
    expect(reason(decide(deferred, systemd, '2021-07-26T23:59:59.999Z'))).toBe('deferred');
    expect(reason(decide(deferred, systemd, '2021-07-27T00:00:00.000Z'))).toBe('approved');
  });

  it('counts from the exact time when the date has one', () => {
    const timed = { ...systemd, published: '2021-07-20T15:30:00Z' };
    expect(reason(decide(deferred, timed, '2021-07-27T15:29:59Z'))).toBe('deferred');
    expect(reason(decide(deferred, timed, '2021-07-27T15:30:00Z'))).toBe('approved');
  });

  it('says until when it defers', () => {
    expect(decide(deferred, systemd, '2021-07-21T00:00:00Z')).toEqual({
      approved: false,
      reason: 'deferred',
      detail: 'approved from 2021-07-27T00:00:00.000Z',
    });
  });

  it('without deferDays approves at once; with deferDays and no date, holds', () => {
    expect(reason(decide({}, { ...systemd, published: null }, '2021-07-20T00:00:00Z'))).toBe('approved');
    expect(reason(decide(deferred, { ...systemd, published: null }, '2030-01-01T00:00:00Z'))).toBe(
      'deferred',
    );
  });
});

describe('KEV fast lane', () => {
  const deferred = { approve: { deferDays: 7 } };

  it('a KEV fix skips the deferral (kevImmediately defaults to true)', () => {
    expect(reason(decide(deferred, sudo, '2021-01-26T00:00:00Z'))).toBe('approved');
  });

  it('not when kevImmediately is false, and never for a fix that is not KEV', () => {
    const strict = { approve: { deferDays: 7, kevImmediately: false } };
    expect(reason(decide(strict, sudo, '2021-01-27T00:00:00Z'))).toBe('deferred');
    expect(reason(decide(deferred, { ...sudo, kev: false }, '2021-01-27T00:00:00Z'))).toBe('deferred');
  });

  it('skips only the deferral: exclusions, pins and exceptions still hold a KEV fix', () => {
    expect(
      reason(decide({ ...deferred, exclude: { packages: ['sud?'] } }, sudo, '2021-02-01T00:00:00Z')),
    ).toBe('excluded');
    expect(
      reason(decide({ ...deferred, pin: { sudo: '1.8.27-1+deb10u2' } }, sudo, '2021-02-01T00:00:00Z')),
    ).toBe('pinned');
  });
});

describe('classification and severity', () => {
  it('maps advisory "enhancement" to policy "feature"', () => {
    expect(policyClassification('enhancement')).toBe('feature');
    expect(policyClassification(null, true)).toBe('security');
    expect(policyClassification(null, false)).toBe('bugfix');
    const feature = { ...systemd, classification: 'enhancement' as const };
    expect(reason(decide({}, feature, '2022-01-01T00:00:00Z'))).toBe('not-approved');
    expect(
      reason(decide({ approve: { classifications: ['feature'] } }, feature, '2022-01-01T00:00:00Z')),
    ).toBe('approved');
  });

  it('holds security fixes below minSeverity or of unknown severity, not bugfixes', () => {
    const floor = { approve: { classifications: ['security', 'bugfix'], minSeverity: 'medium' } };
    expect(reason(decide(floor, { ...systemd, severity: 'low' }, '2022-01-01T00:00:00Z'))).toBe(
      'not-approved',
    );
    expect(decide(floor, { ...systemd, severity: null }, '2022-01-01T00:00:00Z')).toMatchObject({
      detail: 'severity unknown is below medium',
    });
    expect(reason(decide(floor, { ...systemd, severity: 'medium' }, '2022-01-01T00:00:00Z'))).toBe(
      'approved',
    );
    expect(reason(decide(floor, { ...systemd, severity: 'critical' }, '2022-01-01T00:00:00Z'))).toBe(
      'approved',
    );
    const bugfix = { ...systemd, classification: 'bugfix' as const, severity: null };
    expect(reason(decide(floor, bugfix, '2022-01-01T00:00:00Z'))).toBe('approved');
  });
});

describe('exclusion globs', () => {
  const ex = (glob: string, pkg: string) =>
    reason(decide({ exclude: { packages: [glob] } }, { ...systemd, package: pkg }, '2022-01-01T00:00:00Z'));

  it('matches binary package names with * and ?', () => {
    expect(ex('linux-image-*', 'linux-image-4.19.0-17-amd64')).toBe('excluded');
    expect(ex('linux-image-*', 'linux-headers-4.19.0-17-amd64')).toBe('approved');
    expect(ex('libsystemd?', 'libsystemd0')).toBe('excluded');
    expect(ex('libsystemd?', 'libsystemd-dev')).toBe('approved');
    expect(ex('libstdc++*', 'libstdc++6')).toBe('excluded'); // + is literal
    expect(ex('lib.ystemd0', 'libsystemd0')).toBe('approved'); // . is literal
  });

  it('on the binary name, not the source package', () => {
    expect(ex('systemd', 'libsystemd0')).toBe('approved');
  });
});

describe('pins', () => {
  it('hold a fix that needs a version past the pin, by binary or source name', () => {
    for (const pin of [{ libzstd1: '1.3.8+dfsg-3+deb10u1' }, { libzstd: '1.3.8+dfsg-3+deb10u1' }]) {
      expect(reason(decide({ pin }, zstd1, '2022-01-01T00:00:00Z'))).toBe('approved'); // equal to the pin
      expect(decide({ pin }, zstd2, '2022-01-01T00:00:00Z')).toEqual({
        approved: false,
        reason: 'pinned',
        detail: 'needs 1.3.8+dfsg-3+deb10u2, pinned at 1.3.8+dfsg-3+deb10u1',
      });
    }
  });

  it('compare in Debian order, not as strings', () => {
    // As strings "deb10u10" < "deb10u2"; dpkg orders 10 after 2.
    expect(
      reason(decide({ pin: { libzstd1: '1.3.8+dfsg-3+deb10u10' } }, zstd2, '2022-01-01T00:00:00Z')),
    ).toBe('approved');
    // ~ sorts before everything: 241-7 is past a pin at 241-7~deb10u8.
    const plain = { ...systemd, version: '241-7' };
    expect(reason(decide({ pin: { systemd: '241-7~deb10u8' } }, plain, '2022-01-01T00:00:00Z'))).toBe(
      'pinned',
    );
  });

  it('a pin the host scheme cannot read holds the package (fail safe)', () => {
    expect(reason(decide({ pin: { libzstd1: '1.3.8_1' } }, zstd1, '2022-01-01T00:00:00Z'))).toBe('pinned');
  });
});

describe('exceptions', () => {
  const exception = (e: Partial<PolicyException>): PolicyException => ({
    advisoryId: null,
    package: null,
    expiresAt: '2021-09-01T00:00:00Z',
    ...e,
  });

  it('an active exception holds the fix until it expires (exclusive)', () => {
    const e = [exception({ advisoryId: 'DSA-4942-1' })];
    expect(decide({}, systemd, '2021-08-31T23:59:59.999Z', e)).toEqual({
      approved: false,
      reason: 'exception',
      detail: 'risk exception until 2021-09-01T00:00:00Z',
    });
    expect(reason(decide({}, systemd, '2021-09-01T00:00:00Z', e))).toBe('approved');
  });

  it('matches by advisory id or alias (CVE), by binary or source package', () => {
    const at = new Date('2021-08-01T00:00:00Z');
    expect(activeException([exception({ advisoryId: 'cve-2021-33910' })], systemd, at)).not.toBeNull();
    expect(activeException([exception({ package: 'systemd' })], systemd, at)).not.toBeNull();
    expect(activeException([exception({ package: 'libsystemd0' })], systemd, at)).not.toBeNull();
    expect(
      activeException([exception({ advisoryId: 'DSA-4942-1', package: 'udev' })], systemd, at),
    ).toBeNull();
    expect(activeException([exception({ advisoryId: 'DSA-4839-1' })], systemd, at)).toBeNull();
    expect(activeException([exception({ expiresAt: 'never' })], systemd, at)).toBeNull();
  });

  it('come after exclusion and before the other checks', () => {
    const e = [exception({ package: 'sudo' })];
    expect(reason(decide({ exclude: { packages: ['sudo'] } }, sudo, '2021-08-01T00:00:00Z', e))).toBe(
      'excluded',
    );
    expect(reason(decide({ approve: { deferDays: 30 } }, sudo, '2021-01-27T00:00:00Z', e))).toBe('exception');
  });
});
