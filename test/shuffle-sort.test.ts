// The pieces of a sort's range shuffle (pipeline/shuffle/sort.ts): keys compared as DuckDB's ORDER BY compares them
// (DuckDB is the reference: the same values sorted by both), runs and their index, split points over skewed keys and
// duplicates, the byte range of a run that holds one partition's keys, and the `sortBy` request field.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { compareBytes, compareDecimals, encodeRun, keyComparator, parseSortBy, partitionOfKey, runRange, sortRows, splitPoints, type SortColumn } from '../pipeline/shuffle/sort.ts';
import { parseShuffleRequest } from '../pipeline/shuffle/spec.ts';
import { HttpError } from '../pipeline/openwhisk/http.ts';
import { RowsError } from '../pipeline/shuffle/rows.ts';

let duckdb: DuckDBInstance;
let duck: DuckDBConnection;

beforeAll(async () => {
  duckdb = await DuckDBInstance.create(':memory:', { threads: '1' });
  duck = await duckdb.connect();
});

afterAll(() => {
  duck?.closeSync();
  duckdb?.closeSync();
});

/** DuckDB's answer to `select` (one column `v` and a unique `i`) ordered by `v` as `order` says, and the same rows sorted here. */
async function bothOrders(select: string, order: string, desc: boolean): Promise<{ duck: unknown[]; ours: unknown[] }> {
  const reader = await duck.runAndReadAll(`SELECT v, i FROM (${select}) ORDER BY v ${order}, i`);
  const type = reader.columnTypes()[0].toString();
  const expected = reader.getRowsJson() as unknown[][];
  const shuffled = [...expected].reverse();
  const sort: SortColumn[] = [{ column: 'v', desc }, { column: 'i', desc: false }];
  const sorted = sortRows({ columns: ['v', 'i'], types: [type, 'BIGINT'], rows: shuffled }, sort, 'test');
  return { duck: expected.map((r) => r[0]), ours: sorted.rows.map((r) => r[0]) };
}

describe('sort keys, ordered as DuckDB orders them', () => {
  const cases: Array<[string, string]> = [
    ['strings by UTF-8 bytes', "SELECT * FROM (VALUES ('b'), ('B'), ('é'), ('z'), (chr(57344)), ('😀'), ('a😀'), ('a' || chr(65535)), (NULL), ('')) t(v)"],
    ['big integers', 'SELECT * FROM (VALUES (9007199254740993::HUGEINT), (9007199254740992::HUGEINT), (-170141183460469231731687303715884105727::HUGEINT), (3::HUGEINT), (NULL)) t(v)'],
    ['decimals', 'SELECT * FROM (VALUES (12.50::DECIMAL(12,2)), (-3.00), (-12.51), (0.00), (99999.99), (-0.01), (NULL)) t(v)'],
    ['doubles with NaN and infinities', "SELECT * FROM (VALUES ('nan'::DOUBLE), ('inf'::DOUBLE), ('-inf'::DOUBLE), (1.5::DOUBLE), (-2.25::DOUBLE), (NULL)) t(v)"],
    ['dates and timestamps', "SELECT * FROM (VALUES ('2020-01-02 10:00:00'::TIMESTAMP), ('2019-12-31 23:59:59.5'), ('2020-01-02 09:59:59'), (NULL)) t(v)"],
    ['booleans', 'SELECT * FROM (VALUES (true), (false), (NULL), (true)) t(v)'],
    ['random integers with duplicates', 'SELECT (hash(i) % 50)::INTEGER - 25 AS v FROM range(400) r(i)'],
  ];
  for (const [what, values] of cases) {
    for (const desc of [false, true]) {
      it(`${what}, ${desc ? 'DESC' : 'ASC'}`, async () => {
        const select = `SELECT v, row_number() OVER () AS i FROM (${values})`;
        const { duck: expected, ours } = await bothOrders(select, desc ? 'DESC' : 'ASC', desc);
        expect(ours).toEqual(expected);
      });
    }
  }

  it('compares decimal text and UTF-8 strings exactly', () => {
    expect(compareDecimals('10.5', '9.75')).toBe(1);
    expect(compareDecimals('-10.5', '-9.75')).toBe(-1);
    expect(compareDecimals('0.00', '-0.0')).toBe(0);
    expect(compareBytes('\uE000', '😀')).toBe(-1);
    expect(compareBytes('abc', 'ab')).toBe(1);
  });

  it('refuses a row without a sort column, naming it', () => {
    expect(() => sortRows({ columns: ['a'], rows: [[1]] }, [{ column: 'k', desc: false }], 'task 2')).toThrow(RowsError);
    expect(() => sortRows({ columns: ['a'], rows: [[1]] }, [{ column: 'k', desc: false }], 'task 2')).toThrow(/task 2: the rows have no column "k" to sort by/);
  });
});

describe('runs, split points and ranges', () => {
  const sort: SortColumn[] = [{ column: 'k', desc: false }];
  const compare = keyComparator(sort, ['BIGINT']);
  // Skewed: half the rows have key 7; the rest spread over 0..999.
  const runOf = (seed: number, n: number) => {
    const rows = Array.from({ length: n }, (_, i) => [i % 2 === 0 ? 7 : (i * 7919 + seed) % 1000, `${seed}-${i}`]);
    return encodeRun(sortRows({ columns: ['k', 'p'], types: ['BIGINT', 'VARCHAR'], rows }, sort, 'test'), sort, 64, 'test');
  };
  const runs = [runOf(1, 3000), runOf(2, 1000), runOf(3, 50)];

  it('draws split points that keep every key in one partition and hold the others to their share', () => {
    const splits = splitPoints(runs.map((r) => r.index), 4, compare);
    expect(splits).toHaveLength(3);
    for (let i = 1; i < splits.length; i++) expect(compare(splits[i - 1], splits[i])).toBeLessThanOrEqual(0);
    const sizes = [0, 0, 0, 0];
    const partsOf7 = new Set<number>();
    for (const run of runs) {
      for (const line of run.body.toString().split('\n').filter(Boolean)) {
        const [k] = JSON.parse(line) as [number];
        const p = partitionOfKey([k], splits, compare);
        sizes[p]++;
        if (k === 7) partsOf7.add(p);
      }
    }
    expect(partsOf7.size).toBe(1);
    expect(sizes.reduce((a, b) => a + b)).toBe(4050);
    // A partition without the heavy key holds at most about a quarter of the rows (the index's grain past it).
    const light = sizes.filter((_, p) => !partsOf7.has(p));
    expect(Math.max(...light)).toBeLessThan((4050 / 4) * 1.1);
  });

  it("reads, of each run, a byte range holding every row of a partition's key range", () => {
    const splits = splitPoints(runs.map((r) => r.index), 5, compare);
    for (const run of runs) {
      const lines = run.body.toString().split('\n').filter(Boolean).map((l) => JSON.parse(l) as [number, string]);
      for (let part = 0; part < 5; part++) {
        const low = part > 0 ? splits[part - 1] : undefined;
        const high = part < splits.length ? splits[part] : undefined;
        const expected = lines.filter(([k]) => partitionOfKey([k], splits, compare) === part);
        const range = runRange(run.index, run.body.length, low, high, compare);
        const got = range ? run.body.subarray(range.start, range.end).toString().split('\n').filter(Boolean).map((l) => JSON.parse(l) as [number, string]).filter(([k]) => partitionOfKey([k], splits, compare) === part) : [];
        expect(got).toEqual(expected);
      }
    }
  });

  it('gives no split points for one reducer, and equal points for one repeated key', () => {
    expect(splitPoints(runs.map((r) => r.index), 1, compare)).toEqual([]);
    const same = encodeRun({ columns: ['k'], types: ['BIGINT'], rows: Array.from({ length: 100 }, () => [5]) }, sort, 16, 'test');
    expect(splitPoints([same.index], 3, compare)).toEqual([[5], [5]]);
    expect(partitionOfKey([5], [[5], [5]], compare)).toBe(2);
  });
});

describe('the sortBy request field', () => {
  it('takes one column or several, each ASC or DESC', () => {
    expect(parseSortBy('key')).toEqual([{ column: 'key', desc: false }]);
    expect(parseSortBy('a DESC, b asc')).toEqual([{ column: 'a', desc: true }, { column: 'b', desc: false }]);
    expect(parseShuffleRequest({ sortBy: 'k DESC', reducers: 3 }, 100)).toMatchObject({ key: 'k', sort: [{ column: 'k', desc: true }], reducers: 3 });
  });

  it('refuses a malformed sortBy, or one given with partitionBy, with a 400', () => {
    for (const [fields, message] of [
      [{ sortBy: 'k sideways' }, /'sortBy' must name one or more columns/],
      [{ sortBy: 'a, a' }, /names column "a" twice/],
      [{ sortBy: 'k', partitionBy: 'k' }, /not both/],
      [{ sortBy: 42 }, /'sortBy' must name/],
    ] as Array<[Record<string, unknown>, RegExp]>) {
      let error: unknown;
      try {
        parseShuffleRequest(fields, 100);
      } catch (err) {
        error = err;
      }
      expect(error).toBeInstanceOf(HttpError);
      expect((error as HttpError).statusCode).toBe(400);
      expect(String((error as Error).message)).toMatch(message);
    }
  });
});
