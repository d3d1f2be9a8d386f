import { describe, expect, it } from 'vitest';
import { dashboard } from '../test-support/fixtures.js';
import { feedWarning, LINKS, nextSteps, type DashboardData } from './dashboard-model.js';

const base: DashboardData = dashboard();

describe('dashboard model', () => {
  it('links each figure to the list with the same filters the server counted with', () => {
    expect(LINKS.kev).toBe('/findings?status=open&excepted=false&kev=true');
    expect(LINKS.breached).toBe('/findings?status=open&excepted=false&sla=breached');
    expect(LINKS.priority('P1')).toBe('/findings?status=open&excepted=false&priority=P1');
    expect(LINKS.stale).toBe('/hosts?stale=true');
  });

  it('says what to do next, most urgent first, and nothing for an empty fleet', () => {
    const d = {
      ...base,
      hosts: { ...base.hosts, stale: 2, eol: 1, rebootRequired: 3 },
      findings: { ...base.findings, breached: 4, kev: 5 },
    };
    expect(nextSteps(d).map((s) => s.to)).toEqual([
      LINKS.breached,
      LINKS.kev,
      LINKS.eol,
      LINKS.stale,
      LINKS.reboot,
    ]);
    expect(nextSteps({ ...d, hosts: { ...d.hosts, total: 0 } })).toEqual([]);
    expect(nextSteps(base)).toEqual([]);
  });

  it('puts hosts not assessed and pending security updates first, linked to their filtered lists', () => {
    const d = {
      ...base,
      hosts: { ...base.hosts, notAssessed: 2 },
      patch: { ...base.patch, securityUpdatesPending: 3 },
      findings: { ...base.findings, breached: 1 },
    };
    expect(nextSteps(d).map((s) => s.to)).toEqual([
      '/hosts?assessed=false',
      '/hosts?patchStatus=security-updates-pending',
      LINKS.breached,
    ]);
  });

  it('warns when no feed was imported or a sync failed, and not otherwise', () => {
    expect(feedWarning(base)).toBeNull();
    expect(feedWarning({ ...base, feeds: { imported: false, problems: [] } })).toMatch(
      /^No vulnerability feed has been imported yet: no host can be assessed/,
    );
    const failed = {
      source: 'osv',
      lastStatus: 'failed',
      lastImport: '2030-01-01T00:00:00Z',
      lastSuccess: '2029-12-01T00:00:00Z',
      lastError: 'GET …: 503',
      lastErrorCode: 'PL_FEED_DOWNLOAD_FAILED',
    };
    expect(feedWarning({ ...base, feeds: { imported: true, problems: [failed] } })).toBe(
      'Feed sync failed for osv (PL_FEED_DOWNLOAD_FAILED): findings may be out of date.',
    );
  });
});
