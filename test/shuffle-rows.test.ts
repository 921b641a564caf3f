// The rows a shuffle moves, for TypeScript kernels (arrays of row objects) and the sql kernel ({columns, types, rows}):
// partitioned by a stable hash of the key's text (a number and its decimal string meet), stored and read back, and
// written as CSV or JSON lines parts; and the request fields that ask for a shuffle.
import { describe, expect, it } from 'vitest';
import { decodePartition, encodePart, encodePartition, partitionOf, partitionRows, rowsOf, RowsError } from '../pipeline/shuffle/rows.ts';
import { parseShuffleRequest, reduceJobIdOf } from '../pipeline/shuffle/spec.ts';
import { isJobId } from '../pipeline/job/ids.ts';
import { namedInputs } from '../pipeline/data/job-input.ts';
import { kernelProblems } from '../pipeline/kernel-actions/check.ts';
import { COMMIT_RETRY_MS, commitRetryable } from '../pipeline/shuffle/stages.ts';
import { ShuffleStoreError } from '../pipeline/shuffle/store-objects.ts';

describe('shuffle rows', () => {
  it('takes row objects as Rows, with every column any row has', () => {
    expect(rowsOf([{ k: 1, a: 'x' }, { k: 2, b: true }], 'task 0')).toEqual({ columns: ['k', 'a', 'b'], rows: [[1, 'x', null], [2, null, true]] });
    expect(() => rowsOf({ sum: 3 }, 'task 0')).toThrow(RowsError);
  });

  it('sends every row of a key to one partition, the same for a number and its decimal text', () => {
    const rows = rowsOf(Array.from({ length: 500 }, (_, i) => ({ k: i % 37, v: i })), 'task 0');
    const parts = partitionRows(rows, 'k', 4, 'task 0');
    expect(parts.flat()).toHaveLength(500);
    for (const [r, part] of parts.entries()) for (const row of part) expect(partitionOf(row[0], 4)).toBe(r);
    expect(partitionOf(123, 7)).toBe(partitionOf('123', 7));
    expect(() => partitionRows(rows, 'missing', 4, 'task 3')).toThrow(/task 3: the rows have no column "missing"/);
  });

  it('stores a partition with its table and columns, and reads it back as objects', () => {
    const rows = { columns: ['k', 's'], types: ['BIGINT', 'VARCHAR'], rows: [[1, 'a,b'], [2, null]] };
    const back = decodePartition(encodePartition('ledger', rows, rows.rows), 'p');
    expect(back).toEqual({ table: 'ledger', columns: ['k', 's'], types: ['BIGINT', 'VARCHAR'], rows: [{ k: 1, s: 'a,b' }, { k: 2, s: null }] });
  });

  it('writes CSV (quoted where needed) and JSON lines parts', () => {
    const rows = { columns: ['k', 'note'], rows: [[1, 'plain'], [2, 'with "quotes", and comma'], [3, null]] };
    expect(encodePart(rows, 'csv').toString()).toBe('k,note\n1,plain\n2,"with ""quotes"", and comma"\n3,\n');
    expect(encodePart(rows, 'jsonl').toString()).toBe('{"k":1,"note":"plain"}\n{"k":2,"note":"with \\"quotes\\", and comma"}\n{"k":3,"note":null}\n');
  });
});

describe('shuffle requests', () => {
  it('reads partitionBy, reducers, output, outputFormat and overwrite, and refuses bad ones', () => {
    expect(parseShuffleRequest({}, 100)).toBeUndefined();
    expect(parseShuffleRequest({ partitionBy: 'k', reducers: '4', output: 's3://bkt/out', outputFormat: 'csv' }, 100)).toEqual({ key: 'k', reducers: 4, overwrite: false, output: { bucket: 'bkt', prefix: 'out/' }, format: 'csv' });
    expect(() => parseShuffleRequest({ partitionBy: 'k', reducers: 0 }, 100)).toThrow(/'reducers' must be an integer between 1 and 100/);
    expect(() => parseShuffleRequest({ reducers: 2 }, 100)).toThrow(/needs 'partitionBy'/);
    expect(() => parseShuffleRequest({ partitionBy: 'k', output: 'http://x/y' }, 100)).toThrow(/s3:\/\/BUCKET\/PREFIX\//);
    expect(() => parseShuffleRequest({ partitionBy: 'k', outputFormat: 'xml' }, 100)).toThrow(/'outputFormat' must be one of parquet, csv, jsonl/);
  });

  it('derives the reduce stage id from the map job id: a valid job id, the same every time', () => {
    const id = reduceJobIdOf('AAAAAAAAAAAAAAAAAAAAAA');
    expect(isJobId(id)).toBe(true);
    expect(reduceJobIdOf('AAAAAAAAAAAAAAAAAAAAAA')).toBe(id);
  });

  it('names inputs as tables: NAME=URL items, or an object', () => {
    expect(namedInputs('s3://b/k')).toBeUndefined();
    expect(namedInputs(['ledger=s3://b/l/', 'accounts=s3://b/a/', 's3://b/x'])).toEqual({ ledger: ['s3://b/l/'], accounts: ['s3://b/a/'], input: ['s3://b/x'] });
    expect(namedInputs({ ledger: 's3://b/l/' })).toEqual({ ledger: 's3://b/l/' });
    expect(() => namedInputs({ 'bad name': 's3://b/l/' })).toThrow(/not a table name/);
  });
});

describe('the keyed contract of a kernel module', () => {
  it('takes reducePartition and writePart as functions, and names them when they are not', () => {
    const kernel = { name: 'keyed', description: 'd', parse: () => ({}), split: () => 1, work: () => [], reduce: () => 0 };
    expect(kernelProblems({ ...kernel, reducePartition: () => [], writePart: async () => new Uint8Array() })).toEqual([]);
    expect(kernelProblems({ ...kernel, reducePartition: [], writePart: 'parquet' })).toEqual([
      '"reducePartition", when given, must be a function',
      '"writePart", when given, must be a function',
    ]);
  });
});

describe("a shuffle's commit", () => {
  it('is tried again when the object store failed it, for a while after the last part was written; other errors fail the job', () => {
    const now = 1_000_000;
    const meta = { created: 0, lastEnd: now - 1000 };
    expect(commitRetryable(new ShuffleStoreError('SlowDown (HTTP 503)'), meta, now)).toBe(true);
    expect(commitRetryable(new ShuffleStoreError('SlowDown (HTTP 503)'), { ...meta, lastEnd: now - COMMIT_RETRY_MS }, now)).toBe(false);
    expect(commitRetryable(new Error('s3://b/out/ already holds a dataset'), meta, now)).toBe(false);
  });
});
