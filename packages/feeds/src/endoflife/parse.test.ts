import { readdirSync } from 'node:fs';
import type { EolCycle } from '@patchloop/core';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { fixturePath, readFixture } from '@patchloop/test-support';
import { canonicalEolProduct, EOL_PRODUCT_ALIASES, parseEndOfLife } from './index.js';

const DIR = 'endoflife';
const productFiles = () =>
  readdirSync(fixturePath(DIR, 'json'))
    .filter((f) => f.endsWith('.json') && !f.startsWith('_'))
    .sort();

function cycle(records: readonly EolCycle[], product: string, name: string): EolCycle {
  const c = records.find((r) => r.product === product && r.cycle === name);
  if (c === undefined) throw new Error(`${product} ${name} not parsed`);
  return c;
}

describe('parseEndOfLife on the front matter fixtures', () => {
  const all = () => parseEndOfLife(readFixture(DIR, 'json', '_all_products.json'), '_all_products.json');

  it('reads all 331 cycles of _all_products.json under their endoflife.date ids', () => {
    const { records, errors } = all();
    expect(errors).toEqual([]);
    expect(records).toHaveLength(331);
    const perProduct: Record<string, number> = {};
    for (const c of records) perProduct[c.product] = (perProduct[c.product] ?? 0) + 1;
    expect(perProduct).toEqual({
      almalinux: 3,
      'alpine-linux': 32,
      'amazon-linux': 17,
      'centos-stream': 3,
      centos: 4,
      debian: 18,
      macos: 22,
      nodejs: 26,
      openssl: 14,
      postgresql: 29,
      python: 17,
      rhel: 7,
      'rocky-linux': 3,
      sles: 25,
      ubuntu: 44,
      'windows-server': 20,
      windows: 47,
    });
  });

  it('reads each product file to the same cycles as _all_products.json', () => {
    const everything = all().records;
    for (const file of productFiles()) {
      const { records, errors } = parseEndOfLife(readFixture(DIR, 'json', file), file);
      expect(errors, file).toEqual([]);
      const id = file.replace(/\.json$/, '');
      expect(records.length, file).toBeGreaterThan(0);
      expect(records.every((c) => c.product === id)).toBe(true);
      expect(records).toEqual(everything.filter((c) => c.product === id));
    }
  });

  it('maps the fields of a few cycles (hand-checked against the files)', () => {
    const records = all().records;
    expect(cycle(records, 'debian', '12')).toEqual({
      product: 'debian',
      cycle: '12',
      codename: 'Bookworm',
      releaseDate: '2023-06-10',
      eol: '2026-07-11',
      eoes: '2028-06-30',
      support: null,
      lts: false,
      latest: '12.15',
    });
    expect(cycle(records, 'ubuntu', '22.04')).toEqual({
      product: 'ubuntu',
      cycle: '22.04',
      codename: 'Jammy Jellyfish',
      releaseDate: '2022-04-21',
      eol: '2027-04-01',
      eoes: '2032-04-09',
      support: '2024-09-30',
      lts: true,
      latest: '22.04.5',
    });
    // lts given as the date the cycle became LTS; eoes false (no commercial support).
    expect(cycle(records, 'nodejs', '20')).toMatchObject({ lts: true, eoes: false, support: '2024-10-22' });
    expect(cycle(records, 'nodejs', '25')).toMatchObject({ lts: false, eoes: null });
    // Booleans instead of dates.
    expect(cycle(records, 'nodejs', '3')).toMatchObject({ eol: true, support: true });
    expect(cycle(records, 'macos', '15')).toMatchObject({ eol: false, codename: 'Sequoia' });
    expect(cycle(records, 'almalinux', '9')).toMatchObject({ support: '2027-05-31', eol: '2032-05-31' });
    expect(cycle(records, 'alpine-linux', '3.20')).toMatchObject({
      cycle: '3.20',
      eoes: null,
      support: null,
    });
  });
});

describe('product ids', () => {
  it('maps every alternate URL of the fixture products to its permalink id, and nothing else', () => {
    const expected: Record<string, string> = {};
    for (const file of readdirSync(fixturePath(DIR, 'products-md')).filter((f) => f.endsWith('.md'))) {
      const front = parseYaml(readFixture(DIR, 'products-md', file).split(/^---$/m)[1] ?? '') as {
        permalink: string;
        alternate_urls?: string[];
      };
      const id = front.permalink.replace(/^\//, '');
      expect(canonicalEolProduct(front.permalink)).toBe(id);
      for (const alt of front.alternate_urls ?? []) expected[alt.replace(/^\//, '')] = id;
    }
    expect(EOL_PRODUCT_ALIASES).toEqual(expected);
    expect(canonicalEolProduct('alpine')).toBe('alpine-linux');
    expect(canonicalEolProduct(' Debian ')).toBe('debian');
    expect(canonicalEolProduct('something-new')).toBe('something-new');
  });
});

describe('API responses (hand-made samples of the documented shapes, not real downloads)', () => {
  // Shape of https://endoflife.date/api/v1/products/<product>/ per _plugins/generate-api-v1.rb
  // and CHANGELOG_API.md; values made up.
  const v1 = {
    schema_version: '1.0.0',
    generated_at: '2026-01-01T00:00:00+00:00',
    last_modified: '2026-01-01T00:00:00+00:00',
    result: {
      name: 'alpine',
      aliases: ['alpinelinux'],
      label: 'Alpine Linux',
      category: 'os',
      tags: ['linux-distribution'],
      releases: [
        {
          name: '3.21',
          codename: null,
          label: '3.21',
          releaseDate: '2024-12-05',
          isLts: false,
          ltsFrom: null,
          isEol: false,
          eolFrom: '2026-11-01',
          isMaintained: true,
          latest: { name: '3.21.3', date: '2025-02-14', link: 'https://example.invalid/3.21.3' },
        },
        {
          name: '2.0',
          codename: null,
          label: '2.0',
          releaseDate: '2012-05-10',
          isLts: false,
          ltsFrom: null,
          isEol: true,
          eolFrom: null,
          isMaintained: false,
          latest: null,
        },
      ],
    },
  };

  it('reads an API v1 product, mapping the date/flag pairs back', () => {
    const r = parseEndOfLife(JSON.stringify(v1), 'index.json');
    expect(r.errors).toEqual([]);
    expect(r.records).toEqual([
      {
        product: 'alpine-linux',
        cycle: '3.21',
        codename: null,
        releaseDate: '2024-12-05',
        eol: '2026-11-01',
        eoes: null,
        support: null,
        lts: false,
        latest: '3.21.3',
      },
      {
        product: 'alpine-linux',
        cycle: '2.0',
        codename: null,
        releaseDate: '2012-05-10',
        eol: true,
        eoes: null,
        support: null,
        lts: false,
        latest: null,
      },
    ]);
  });

  it('reads the eoas/eoes/lts pairs of API v1 when the product has those columns', () => {
    const release = {
      name: '22.04',
      codename: 'Jammy Jellyfish',
      label: "22.04 'Jammy Jellyfish'",
      releaseDate: '2022-04-21',
      isLts: true,
      ltsFrom: null,
      isEoas: true,
      eoasFrom: '2024-09-30',
      isEol: false,
      eolFrom: '2027-04-01',
      isEoes: false,
      eoesFrom: '2032-04-09',
      isMaintained: true,
      latest: { name: '22.04.5', date: '2024-09-12', link: null },
    };
    const full = { schema_version: '1.0.0', total: 1, result: [{ name: 'ubuntu', releases: [release] }] };
    expect(parseEndOfLife(JSON.stringify(full), 'full.json').records).toEqual([
      {
        product: 'ubuntu',
        cycle: '22.04',
        codename: 'Jammy Jellyfish',
        releaseDate: '2022-04-21',
        eol: '2027-04-01',
        eoes: '2032-04-09',
        support: '2024-09-30',
        lts: true,
        latest: '22.04.5',
      },
    ]);
    const future = { ...release, isLts: false, ltsFrom: '2030-01-01', isEoes: true, eoesFrom: null };
    expect(
      parseEndOfLife(JSON.stringify({ result: { name: 'ubuntu', releases: [future] } }), 'x').records[0],
    ).toMatchObject({
      lts: true,
      eoes: true,
    });
  });

  // Shape of https://endoflife.date/api/<product>.json (v0) per _plugins/generate-api-v0.rb, with
  // the older field names support/extendedSupport and a numeric cycle; values made up.
  const legacy = [
    {
      cycle: '12',
      codename: 'Bookworm',
      releaseDate: '2023-06-10',
      eol: '2026-06-10',
      extendedSupport: '2028-06-30',
      lts: false,
      latest: '12.5',
      latestReleaseDate: '2024-02-10',
      link: 'https://example.invalid/12.5',
    },
    { cycle: 3.9, releaseDate: '2019-01-29', eol: true, support: false, latest: '3.9.6', lts: false },
  ];

  it('reads the legacy array under the product passed in, or named by the file', () => {
    const r = parseEndOfLife(JSON.stringify(legacy), 'debian.json', 'debian');
    expect(r.errors).toEqual([]);
    expect(r.records).toEqual([
      {
        product: 'debian',
        cycle: '12',
        codename: 'Bookworm',
        releaseDate: '2023-06-10',
        eol: '2026-06-10',
        eoes: '2028-06-30',
        support: null,
        lts: false,
        latest: '12.5',
      },
      {
        product: 'debian',
        cycle: '3.9',
        codename: null,
        releaseDate: '2019-01-29',
        eol: true,
        eoes: null,
        support: false,
        lts: false,
        latest: '3.9.6',
      },
    ]);
    expect(parseEndOfLife(JSON.stringify(legacy), 'cache/alpine.json').records[0]?.product).toBe(
      'alpine-linux',
    );
    expect(parseEndOfLife(JSON.stringify(legacy), 'x.json', 'rocky').records[0]?.product).toBe('rocky-linux');
  });
});

describe('bad input (made here)', () => {
  it('reports unreadable cycles and keeps the rest', () => {
    const doc = {
      title: 'Debian',
      permalink: '/debian',
      releases: [
        { releaseCycle: '13', releaseDate: '2025-08-09', eol: '2028-08-09' },
        { releaseCycle: '12', releaseDate: '2023-06-10', eol: 'soon' },
        { releaseCycle: '11', releaseDate: '2021-13-01', eol: true },
        { releaseCycle: '10', releaseDate: '2019-07-06' },
        { releaseDate: '2017-06-17', eol: true },
        { releaseCycle: '13', releaseDate: '2025-08-09', eol: false },
        { releaseCycle: '8', releaseDate: '2015-04-25', eol: true, lts: 'yes' },
        'nonsense',
      ],
    };
    const r = parseEndOfLife(JSON.stringify(doc), 'debian.json');
    expect(r.records.map((c) => c.cycle)).toEqual(['13']);
    // Every one of these cycles was skipped: none is a warning.
    expect(r.errors.filter((e) => e.warning !== undefined)).toEqual([]);
    expect(r.errors.map((e) => [e.record, e.code, e.reason])).toEqual([
      ['debian 12', 'PL_FEED_SCHEMA_INVALID', 'eol: expected a YYYY-MM-DD date or a boolean, got "soon"'],
      ['debian 11', 'PL_FEED_SCHEMA_INVALID', 'releaseDate: expected a YYYY-MM-DD date, got "2021-13-01"'],
      ['debian 10', 'PL_FEED_SCHEMA_INVALID', 'eol: expected a YYYY-MM-DD date or a boolean, got nothing'],
      ['debian #4', 'PL_FEED_SCHEMA_INVALID', 'releaseCycle: expected the cycle name, got nothing'],
      ['debian 13', 'PL_FEED_SCHEMA_INVALID', 'cycle 13 is listed a second time'],
      ['debian 8', 'PL_FEED_SCHEMA_INVALID', 'lts: expected a boolean or a YYYY-MM-DD date, got "yes"'],
      ['debian #7', 'PL_FEED_SCHEMA_INVALID', 'expected a release object'],
    ]);
  });

  it('reports documents it cannot read as a whole', () => {
    const one = (text: string) => parseEndOfLife(text, 'x.json').errors.map((e) => [e.record, e.code]);
    expect(one('{"result": ')).toEqual([['document', 'PL_FEED_JSON_INVALID']]);
    expect(one('{"hello": "world"}')).toEqual([['document', 'PL_FEED_SCHEMA_INVALID']]);
    expect(one('"text"')).toEqual([['document', 'PL_FEED_SCHEMA_INVALID']]);
    expect(one('{"result": {"releases": []}}')).toEqual([['document', 'PL_FEED_SCHEMA_INVALID']]);
    expect(one('{"result": {"name": "debian", "releases": 3}}')).toEqual([
      ['debian', 'PL_FEED_SCHEMA_INVALID'],
    ]);
  });

  it('reports a v1 release whose flags are of the wrong type', () => {
    const text = JSON.stringify({
      result: {
        name: 'debian',
        releases: [
          { name: '12', isLts: false, ltsFrom: null, isEol: 'no', eolFrom: null, latest: null },
          { name: '11', isLts: false, ltsFrom: null, isEol: null, eolFrom: null, latest: null },
          { name: '10', isLts: false, ltsFrom: null, isEol: true, eolFrom: null, latest: '10.13' },
        ],
      },
    });
    expect(parseEndOfLife(text, 'x').errors.map((e) => [e.record, e.reason])).toEqual([
      ['debian 12', 'isEol: expected a boolean, got "no"'],
      ['debian 11', 'isEol: expected a boolean, got null'],
      ['debian 10', 'latest: expected an object, got "10.13"'],
    ]);
  });
});
