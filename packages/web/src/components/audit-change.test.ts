import { describe, expect, it } from 'vitest';
import { auditActorHref, auditTargetHref, changeRows, changeSummary } from './audit-change.js';

describe('audit changes', () => {
  it('lists the fields an edit changed, before → after', () => {
    const before = { criticality: 'tier2', tags: ['a'], owner: null };
    const after = { criticality: 'tier0', tags: ['a'], owner: 'team-a' };
    expect(changeSummary(before, after)).toBe('criticality: tier2 → tier0; owner: — → team-a');
    expect(changeRows(before, after)).toEqual([
      { field: 'criticality', before: 'tier2', after: 'tier0' },
      { field: 'owner', before: '—', after: 'team-a' },
    ]);
  });

  it('shows what a creation, deletion or other event records, without JSON', () => {
    expect(changeSummary(null, { role: 'auditor', name: 'ci' })).toBe('role: auditor; name: ci');
    expect(changeSummary({ version: 1 }, null)).toBe('version: 1 → —');
    expect(changeSummary(null, null)).toBe('');
    // Nested objects become dotted fields; lists of objects read as their values.
    const rows = changeRows(null, {
      version: 3,
      document: { approve: { deferDays: 0 }, rings: ['pilot', 'broad'] },
      packages: [
        { name: 'openssl', version: '3.0.15-1' },
        { name: 'libssl3', version: '3.0.15-1' },
      ],
      enabled: false,
      empty: [],
      pin: {},
    });
    expect(rows).toEqual([
      { field: 'version', before: '—', after: '3' },
      { field: 'document.approve.deferDays', before: '—', after: '0' },
      { field: 'document.rings', before: '—', after: 'pilot, broad' },
      { field: 'packages', before: '—', after: 'openssl 3.0.15-1, libssl3 3.0.15-1' },
      { field: 'enabled', before: '—', after: 'no' },
      { field: 'empty', before: '—', after: 'none' },
      { field: 'pin', before: '—', after: 'none' },
    ]);
    expect(rows.some((r) => /[{}"]/.test(r.after))).toBe(false);
    expect(changeRows('requested', 'approved')).toEqual([
      { field: 'value', before: 'requested', after: 'approved' },
    ]);
    // A status change recorded as objects: only what moved.
    expect(changeSummary({ status: 'requested', id: 4 }, { status: 'approved', id: 4 })).toBe(
      'status: requested → approved',
    );
  });

  it('links each kind of target and agent actors to their page', () => {
    expect(
      [
        'host:12',
        'policy:buster-servers',
        'deployment:5',
        'exception:3',
        'user:alice',
        'token:7',
        'setting:risk',
        'setting:enroll_secret',
        'feeds:mirror',
        'feed:kev',
        'something:else',
      ].map(auditTargetHref),
    ).toEqual([
      '/hosts/12',
      '/policies/buster-servers',
      '/deployments/5',
      '/exceptions',
      '/settings#users-title',
      '/settings#tokens-title',
      '/settings#risk-title',
      '/settings#enroll-title',
      '/settings#feeds-title',
      '/settings#feeds-title',
      null,
    ]);
    expect([auditActorHref('agent:4'), auditActorHref('alice'), auditActorHref('token:ci')]).toEqual([
      '/hosts/4',
      null,
      null,
    ]);
  });
});
