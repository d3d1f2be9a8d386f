/** The CSV writer of the list exports: quoting, formula cells, and reading every page. */
import { describe, expect, it } from 'vitest';
import { csvCell, csvLines, fieldColumns, type PageOf } from '../src/services/csv.js';

describe('csv', () => {
  it('heads field columns with their names in snake_case, and reads the fields as they are', () => {
    const cols = fieldColumns<{ id: number; hostId: number | null; decidedAt: string }>([
      'id',
      'hostId',
      'decidedAt',
    ]);
    expect(Object.keys(cols)).toEqual(['id', 'host_id', 'decided_at']);
    expect(Object.values(cols).map((c) => c({ id: 7, hostId: null, decidedAt: '2030-01-01' }))).toEqual([
      7,
      null,
      '2030-01-01',
    ]);
  });

  it('quotes per RFC 4180 and never lets a cell start a formula', () => {
    expect(['plain', 'a,b', 'say "hi"', 'two\nlines', null, undefined, 3, ['a', 'b']].map(csvCell)).toEqual([
      'plain',
      '"a,b"',
      '"say ""hi"""',
      '"two\nlines"',
      '',
      '',
      '3',
      'a b',
    ]);
    // After leading white space too: spreadsheets skip it.
    expect(['  =1+2', ' @SUM(A1)', '\u00a0+1', ' \t-x', ' plain'].map(csvCell)).toEqual([
      "'  =1+2",
      "' @SUM(A1)",
      "'\u00a0+1",
      "' \t-x",
      ' plain',
    ]);
    expect(['=1+2', '+1', '-1', '@SUM(A1)', '\tx', '\rx', 'a=b'].map(csvCell)).toEqual([
      "'=1+2",
      "'+1",
      "'-1",
      "'@SUM(A1)",
      "'\tx",
      `"'\rx"`,
      'a=b',
    ]);
  });

  it('reads the list a page at a time until every row is out', async () => {
    const rows = Array.from({ length: 2500 }, (_, i) => ({ n: i }));
    const asked: [number, number][] = [];
    const page: PageOf<{ n: number }> = async (offset, limit) => {
      asked.push([offset, limit]);
      return { items: rows.slice(offset, offset + limit), total: rows.length };
    };
    let text = '';
    for await (const chunk of csvLines({ n: (r) => r.n }, page)) text += chunk;
    const lines = text.split('\r\n');
    expect(lines.length).toBe(2502); // header, 2500 rows, and the empty string after the last CRLF
    expect([lines[0], lines[1], lines[2500], lines[2501]]).toEqual(['n', '0', '2499', '']);
    expect(asked).toEqual([
      [0, 1000],
      [1000, 1000],
      [2000, 1000],
    ]);
  });
});
