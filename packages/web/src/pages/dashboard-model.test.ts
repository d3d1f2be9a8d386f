import { describe, expect, it } from 'vitest';
import { LINKS, nextSteps, type DashboardData } from './dashboard-model.js';

const base: DashboardData = {
  at: '2030-01-01T00:00:00Z',
  compliance: {
    at: '2030-01-01T00:00:00Z',
    byPriority: {},
    open: 0,
    excepted: 0,
    inScope: 0,
    breached: 0,
    dueSoon: 0,
    kev: 0,
    slaCompliance: 1,
    hostsWithBreaches: 0,
  },
  hosts: { total: 10, stale: 0, rebootRequired: 0, eol: 0, withKev: 0 },
  findings: { open: 0, kev: 0, breached: 0, byPriority: { P1: 0, P2: 0, P3: 0, P4: 0 } },
  trend: [],
};

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
});
