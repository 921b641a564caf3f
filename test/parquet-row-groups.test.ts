// A Parquet input is cut by row groups when the job is created, its footer read there once: every task gets whole row
// groups, each row group exactly one task's, and the footer cut down to them, so that a task reads only its column
// chunks and never the footer. Against a real S3-compatible server (s3rver); every read the planning, the kernel's
// checks and the tasks make is recorded from the real reader, and the `sql` kernel's answer is DuckDB's own over the
// same file.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startS3Server, type S3Server } from '../host/local/s3-server.ts';
import { createS3Client, readS3Settings } from '../pipeline/data/s3-settings.ts';
import { DataAccess } from '../pipeline/data/data-access.ts';
import type { ObjectSlice, TaskInput } from '../pipeline/data/objects.ts';
import { parquetRowGroups } from '../pipeline/data/parquet-footer.ts';
import { cutJobInput, taskRefOf } from '../pipeline/data/job-input.ts';
import { sql, type SqlParams, type SqlPartial } from '../kernels/sql.ts';

const BUCKET = 'parquet';
const ROWS = 20_000;
const ROW_GROUP = 1_500;
let dir: string;
let s3: S3Server;
let duck: DuckDBConnection;
let duckdb: DuckDBInstance;
let objectSize: number;
let footerStart: number;
/** The file's row groups, as DuckDB counts them. */
let rowGroups: number;

/** The real reader, with every byte range asked of it written down. */
class RecordingAccess extends DataAccess {
  readonly reads: Array<{ start: number; end: number }> = [];
  override readRange(slice: ObjectSlice): AsyncIterable<Uint8Array> {
    this.reads.push({ start: slice.start, end: slice.end ?? slice.size ?? Infinity });
    return super.readRange(slice);
  }
  footerReads(): number {
    return this.reads.filter((r) => r.end > footerStart).length;
  }
}

const MAP = 'SELECT branch, sum(cents) AS spend, count(*) AS n, min(cents) AS lo, max(cents) AS hi FROM input GROUP BY branch';
const REDUCE = 'SELECT branch, sum(spend) AS spend, sum(n) AS n, min(lo) AS lo, max(hi) AS hi FROM partials GROUP BY branch ORDER BY branch';

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sc-pq-'));
  duckdb = await DuckDBInstance.create(':memory:', { threads: '1' });
  duck = await duckdb.connect();
  const file = join(dir, 'tx.parquet');
  await duck.run(
    `COPY (SELECT i AS id, 'branch-' || (i % 7) AS branch, (i * 7919) % 100003 AS cents, repeat('x', i % 13) AS note FROM range(${ROWS}) t(i)) TO '${file}' (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE ${ROW_GROUP})`,
  );
  rowGroups = Number((await duck.runAndReadAll(`SELECT count(DISTINCT row_group_id) FROM parquet_metadata('${file}')`)).getRows()[0][0]);
  s3 = await startS3Server({ port: 0, directory: join(dir, 's3'), buckets: [BUCKET] });
  const client = await createS3Client(readS3Settings(s3.env));
  await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'tx.parquet', Body: readFileSync(file) }));
  objectSize = statSync(file).size;
  const bytes = readFileSync(file);
  footerStart = objectSize - 8 - bytes.readUInt32LE(objectSize - 8);
});

afterAll(async () => {
  duck?.closeSync();
  duckdb?.closeSync();
  await s3?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const access = () => new RecordingAccess({ s3: readS3Settings(s3.env) });

async function planned(reader: RecordingAccess, cut: { chunkSize?: string; tasks?: number }): Promise<TaskInput[]> {
  const input = await cutJobInput({ input: `s3://${BUCKET}/tx.parquet`, params: {}, ...cut }, () => reader);
  return input!.tasks;
}

describe('Parquet inputs cut by row groups at creation', () => {
  it('gives every task whole row groups, each one exactly once, whatever the cut', async () => {
    for (const cut of [{ chunkSize: '7KiB' }, { chunkSize: '40KiB' }, { tasks: 3 }, { tasks: 1 }]) {
      const reader = access();
      const tasks = await planned(reader, cut);
      expect(reader.footerReads()).toBe(1);
      const groups = tasks.flatMap((t) => t.slices.flatMap((s) => parquetRowGroups(Buffer.from(s.footer!, 'base64')).map((g) => ({ ...g, slice: s }))));
      expect(groups.reduce((n, g) => n + g.rows, 0)).toBe(ROWS);
      expect(groups.length).toBe(rowGroups);
      expect(rowGroups).toBeGreaterThan(5);
      // In file order, none twice, each inside its slice's span.
      for (let i = 1; i < groups.length; i++) expect(groups[i].start).toBeGreaterThanOrEqual(groups[i - 1].end);
      for (const g of groups) expect(g.start >= g.slice.start && g.end <= g.slice.end!).toBe(true);
      if ('tasks' in cut) expect(tasks.length).toBe(cut.tasks);
      // A task holds the metadata of its own row groups only.
      if (tasks.length > 1) for (const t of tasks) for (const s of t.slices) expect(Buffer.from(s.footer!, 'base64').length).toBeLessThan(objectSize - footerStart - 8);
    }
  });

  it("a footer past the first read's 64 KiB, nested columns: still read once at creation, and DuckDB's rows", async () => {
    // 40 row groups of 61 columns: a footer of some hundreds of KiB; a struct and a list among the columns.
    const file = join(dir, 'wide.parquet');
    const wide = Array.from({ length: 58 }, (_, c) => `i * ${c + 1} AS c${c}`).join(', ');
    await duck.run(
      `COPY (SELECT i AS id, {'a': i % 5, 'b': 'k' || (i % 3)} AS s, [i % 2, i % 7] AS l, ${wide} FROM range(${40 * 2048}) t(i)) TO '${file}' (FORMAT parquet, ROW_GROUP_SIZE 2048)`,
    );
    const client = await createS3Client(readS3Settings(s3.env));
    await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'wide.parquet', Body: readFileSync(file) }));
    const bytes = readFileSync(file);
    const footerLength = bytes.readUInt32LE(bytes.length - 8);
    expect(footerLength).toBeGreaterThan(64 * 2 ** 10);
    const wideFooterStart = bytes.length - 8 - footerLength;
    const reader = access();
    const input = await cutJobInput({ input: `s3://${BUCKET}/wide.parquet`, params: {}, chunkSize: '200KiB' }, () => reader);
    const tasks = input!.tasks;
    expect(tasks.length).toBeGreaterThan(3);
    expect(reader.reads.every((r) => r.end > wideFooterStart)).toBe(true);
    const map = "SELECT s.b AS b, sum(s.a) AS a, sum(l[2]) AS l2, sum(c57) AS c57, count(*) AS n FROM input GROUP BY s.b";
    const reduce = 'SELECT b, sum(a) AS a, sum(l2) AS l2, sum(c57) AS c57, sum(n) AS n FROM partials GROUP BY b ORDER BY b';
    const first = tasks[0].slices[0];
    const params = sql.parse(await sql.prepare(sql.parse({ map, reduce }, { input: true }), { object: { ...first, start: 0, end: first.size }, read: reader }), { input: true }) as SqlParams;
    const before = reader.reads.length;
    const partials: SqlPartial[] = [];
    for (const [index, task] of tasks.entries()) partials.push(await sql.work(params, taskRefOf(index, tasks.length, task, () => reader)));
    expect(reader.reads.slice(before).filter((r) => r.end > wideFooterStart)).toEqual([]);
    const direct = await duck.runAndReadAll(reduce.replace('FROM partials', `FROM (${map.replace('FROM input', `FROM read_parquet('${file}')`)})`));
    expect(await sql.reduce(params, partials)).toEqual({ columns: direct.columnNames(), rows: direct.getRowsJson().map((r) => r.map((v) => (typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : v))) });
  });

  it("runs `sql` with no task reading the footer, and answers DuckDB's rows", async () => {
    const reader = access();
    const tasks = await planned(reader, { chunkSize: '16KiB' });
    expect(tasks.length).toBeGreaterThan(3);
    const first = tasks[0].slices[0];
    const parsed = sql.parse({ map: MAP, reduce: REDUCE }, { input: true });
    const kept = await sql.prepare(parsed, { object: { ...first, start: 0, end: first.size }, read: reader });
    // Created: the footer read once, by the planning; the kernel's checks took the schema from it.
    expect(reader.footerReads()).toBe(1);
    const params = sql.parse(kept, { input: true }) as SqlParams;
    const partials: SqlPartial[] = [];
    const before = reader.reads.length;
    for (const [index, input] of tasks.entries()) partials.push(await sql.work(params, taskRefOf(index, tasks.length, input, () => reader)));
    const taskReads = reader.reads.slice(before);
    expect(taskReads.length).toBeGreaterThan(0);
    expect(taskReads.filter((r) => r.end > footerStart)).toEqual([]);
    // Only the columns the map query uses were fetched: less than the row groups' bytes.
    expect(taskReads.reduce((n, r) => n + r.end - r.start, 0)).toBeLessThan(footerStart);
    const answer = await sql.reduce(params, partials);
    const direct = await duck.runAndReadAll(REDUCE.replace('FROM partials', `FROM (${MAP.replace('FROM input', `FROM read_parquet('${join(dir, 'tx.parquet')}')`)})`));
    expect(answer).toEqual({ columns: direct.columnNames(), rows: direct.getRowsJson().map((r) => r.map((v) => (typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : v))) });
  });
});
