import { describe, expect, it } from 'vitest';
import type { EolCycle } from '../advisory/model.js';
import { assessEol } from './eol.js';

const cycle = (c: Partial<EolCycle>): EolCycle => ({
  product: 'debian',
  cycle: '10',
  codename: 'buster',
  releaseDate: '2019-07-06',
  eol: '2022-09-10',
  eoes: '2024-06-30',
  support: null,
  lts: false,
  latest: null,
  ...c,
});
const at = (d: string) => new Date(`${d}T12:00:00Z`);
const debian10 = { product: 'debian', cycle: '10' };

describe('assessEol', () => {
  it('is supported well before the end, warns within 90 days', () => {
    expect(assessEol(debian10, [cycle({})], at('2021-01-01'))).toMatchObject({
      status: 'supported',
      eol: '2022-09-10',
    });
    expect(assessEol(debian10, [cycle({})], at('2022-07-01'))).toMatchObject({
      status: 'eol-within-90-days',
      explanation: 'debian 10 reaches end of life on 2022-09-10',
    });
  });

  it('says security support ended while extended support runs, and eol after it', () => {
    expect(assessEol(debian10, [cycle({})], at('2023-01-01'))).toMatchObject({
      status: 'security-support-ended',
      extendedSupportEnd: '2024-06-30',
    });
    expect(assessEol(debian10, [cycle({})], at('2026-11-23'))).toMatchObject({ status: 'eol' });
    expect(assessEol(debian10, [cycle({ eoes: null })], at('2023-01-01'))).toMatchObject({ status: 'eol' });
  });

  it('handles boolean values and missing data', () => {
    expect(assessEol(debian10, [cycle({ eol: true, eoes: null })], at('2020-01-01')).status).toBe('eol');
    expect(assessEol(debian10, [cycle({ eol: false })], at('2030-01-01')).status).toBe('supported');
    expect(assessEol(debian10, [], at('2020-01-01'))).toMatchObject({ status: 'unknown' });
    expect(assessEol(null, [], at('2020-01-01')).status).toBe('unknown');
  });
});
