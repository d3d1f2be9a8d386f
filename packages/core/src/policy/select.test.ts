import { describe, expect, it } from 'vitest';
import type { PolicyHost } from './model.js';
import { parsePolicy } from './parse.js';
import { lostHosts, matchLevel, matchesSelector, policyForHost, ringForHost } from './select.js';

const host = (hostname: string, os: string, tags: string[] = [], groups: string[] = []): PolicyHost => {
  const [id, versionId] = os.split(':') as [string, string];
  return { id: hostname.length, hostname, os: { id, versionId }, tags, groups };
};

const web1 = host('web-01.example.net', 'debian:12', ['linux', 'pilot'], ['web']);
const web2 = host('web-02.example.net', 'debian:12', ['linux'], ['web']);
const db1 = host('db-01.example.net', 'almalinux:9', ['linux'], ['databases']);
const frozen = host('legacy-01.example.net', 'debian:10', ['linux', 'frozen'], ['web']);
const edge = host('edge-01.example.net', 'alpine:3.19', [], []);

describe('matchesSelector', () => {
  const sel = (s: object) => parsePolicy({ name: 'p', selector: s }).selector;

  it('an empty selector picks every host', () => {
    for (const h of [web1, db1, edge]) expect(matchesSelector(sel({}), h)).toBe(true);
  });

  it('ORs values within a list and ANDs the lists', () => {
    const linuxDebianOrUbuntu = sel({ tags: ['linux'], os: ['debian', 'ubuntu'] });
    expect(matchesSelector(linuxDebianOrUbuntu, web1)).toBe(true);
    expect(matchesSelector(linuxDebianOrUbuntu, db1)).toBe(false); // linux, but AlmaLinux
    expect(matchesSelector(linuxDebianOrUbuntu, edge)).toBe(false); // no linux tag
    expect(matchesSelector(sel({ groups: ['web', 'databases'] }), db1)).toBe(true);
  });

  it('matches os by ID or ID:VERSION_ID', () => {
    expect(matchesSelector(sel({ os: ['debian:12'] }), web1)).toBe(true);
    expect(matchesSelector(sel({ os: ['debian:12'] }), frozen)).toBe(false);
    expect(matchesSelector(sel({ os: ['alpine'] }), edge)).toBe(true);
  });

  it('names hosts case-insensitively', () => {
    expect(matchesSelector(sel({ hosts: ['WEB-01.example.net'] }), web1)).toBe(true);
    expect(matchesSelector(sel({ hosts: ['web-01'] }), web1)).toBe(false);
  });

  it('excludes always remove, whichever attribute they name', () => {
    expect(matchesSelector(sel({ tags: ['linux'], exclude: { tags: ['frozen'] } }), frozen)).toBe(false);
    expect(
      matchesSelector(sel({ hosts: ['legacy-01.example.net'], exclude: { tags: ['frozen'] } }), frozen),
    ).toBe(false);
    expect(matchesSelector(sel({ exclude: { os: ['almalinux'], groups: ['nothing'] } }), db1)).toBe(false);
    expect(matchesSelector(sel({ exclude: { os: ['almalinux'] } }), web1)).toBe(true);
  });
});

describe('policyForHost precedence: explicit host > group > tag > global, then name', () => {
  const global = parsePolicy({ name: 'baseline' });
  const globalDebian = parsePolicy({ name: 'all-debian', selector: { os: ['debian'] } });
  const byTag = parsePolicy({
    name: 'linux-servers',
    selector: { tags: ['linux'], exclude: { tags: ['frozen'] } },
  });
  const byGroup = parsePolicy({ name: 'web-tier', selector: { groups: ['web'] } });
  const byHost = parsePolicy({ name: 'zz-web-01-special', selector: { hosts: ['web-01.example.net'] } });
  const policies = [global, globalDebian, byTag, byGroup, byHost];

  it('picks the most specific matching policy', () => {
    expect(policyForHost(policies, web1)?.name).toBe('zz-web-01-special'); // named, although it sorts last
    expect(policyForHost(policies, web2)?.name).toBe('web-tier'); // group beats tag
    expect(policyForHost(policies, db1)?.name).toBe('linux-servers'); // tag beats global
    expect(policyForHost(policies, edge)?.name).toBe('baseline'); // only the global one matches
  });

  it('breaks ties at the same level by name, whatever the order given', () => {
    // all-debian and baseline are both global for a Debian host without tags or groups.
    const plain = host('mail-01.example.net', 'debian:12');
    expect(policyForHost([global, globalDebian], plain)?.name).toBe('all-debian');
    expect(policyForHost([globalDebian, global], plain)?.name).toBe('all-debian');
    const otherTag = parsePolicy({ name: 'a-pilots', selector: { tags: ['pilot'] } });
    expect(policyForHost([byTag, otherTag], host('x', 'debian:12', ['linux', 'pilot']))?.name).toBe(
      'a-pilots',
    );
  });

  it('a policy whose exclude removes the host does not govern it, even when it names it', () => {
    // linux-servers excludes frozen hosts, so the global baseline governs this one; a policy naming
    // the host but excluding it loses to the group policy.
    expect(policyForHost([byTag, global], frozen)?.name).toBe('baseline');
    const namedButExcluded = parsePolicy({
      name: 'legacy',
      selector: { hosts: ['legacy-01.example.net'], exclude: { tags: ['frozen'] } },
    });
    expect(policyForHost([namedButExcluded, byGroup], frozen)?.name).toBe('web-tier');
  });

  it('returns null when no policy selects the host', () => {
    expect(policyForHost([byTag, byGroup], edge)).toBeNull();
    expect(policyForHost([], web1)).toBeNull();
  });

  it('reports the level a selector picks a host at', () => {
    expect(matchLevel(byHost.selector, web1)).toBe('host');
    expect(matchLevel(byGroup.selector, web1)).toBe('group');
    expect(matchLevel(byTag.selector, web1)).toBe('tag');
    expect(matchLevel(globalDebian.selector, web1)).toBe('global');
    expect(matchLevel(globalDebian.selector, db1)).toBeNull();
  });
});

describe('ringForHost', () => {
  const policy = parsePolicy({
    name: 'linux-servers',
    rings: [
      { name: 'pilot', selector: { tags: ['pilot'] }, bake: '24h' },
      { name: 'databases', selector: { groups: ['databases'] } },
      { name: 'broad', selector: { tags: ['never-set'] }, maxConcurrency: '20%', errorBudget: 2 },
    ],
  });

  it('takes the first ring whose selector picks the host', () => {
    const pilotDb = host('db-02.example.net', 'almalinux:9', ['linux', 'pilot'], ['databases']);
    expect(ringForHost(policy, web1).name).toBe('pilot');
    expect(ringForHost(policy, pilotDb).name).toBe('pilot');
    expect(ringForHost(policy, db1).name).toBe('databases');
  });

  it('puts a host no ring picks in the last ring', () => {
    expect(ringForHost(policy, web2).name).toBe('broad');
  });

  it('uses the default ring "all" when the policy has no rings', () => {
    expect(ringForHost(parsePolicy({ name: 'p' }), web1).name).toBe('all');
  });
});

describe('lostHosts', () => {
  const policy = (name: string, selector: object) => parsePolicy({ name, selector });
  const fleet = [web1, web2, db1, frozen, edge];

  it('lists the hosts a policy selects but another governs, with the winner and both levels', () => {
    const linux = policy('linux', { tags: ['linux'] });
    const web = policy('web', { groups: ['web'] });
    const named = policy('named', { hosts: ['db-01.example.net'] });
    const all = [linux, web, named];
    expect(lostHosts(linux, all, fleet)).toEqual([
      { hostname: 'db-01.example.net', to: 'named', level: 'tag', toLevel: 'host' },
      { hostname: 'legacy-01.example.net', to: 'web', level: 'tag', toLevel: 'group' },
      { hostname: 'web-01.example.net', to: 'web', level: 'tag', toLevel: 'group' },
      { hostname: 'web-02.example.net', to: 'web', level: 'tag', toLevel: 'group' },
    ]);
    expect(lostHosts(web, all, fleet)).toEqual([]);
    // A tie on the level goes to the name sorting first.
    const other = policy('a-linux', { tags: ['linux'] });
    expect(lostHosts(linux, [linux, other], [db1])).toEqual([
      { hostname: 'db-01.example.net', to: 'a-linux', level: 'tag', toLevel: 'tag' },
    ]);
    // A policy not yet among `policies` (being applied) is judged as if it were.
    expect(lostHosts(named, [linux], fleet)).toEqual([]);
  });
});
