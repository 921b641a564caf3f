// The `aggregate` example's result computed by DuckDB (a devDependency: the reference engine for the data tests and
// the data benchmark) over a local CSV file: one pass, by grouping sets, in integer cents; ordered and cut by the
// example's own `summarise`, so that ties break the same way.
import { DuckDBInstance } from '@duckdb/node-api';
import type { AggregateParams, AggregateResult } from './aggregate.ts';
import { resultOfGroupingRows } from './sql.ts';

const COLUMNS = "{'customer': 'VARCHAR', 'date': 'DATE', 'category': 'VARCHAR', 'amount': 'DECIMAL(18,2)'}";

/** The SQL over `path` (a CSV with a header line, or a Parquet file: `*.parquet`), one row per group of each grouping set. */
export function aggregateSql(path: string): string {
  const file = `'${path.replaceAll("'", "''")}'`;
  const source = path.endsWith('.parquet') ? `read_parquet(${file})` : `read_csv(${file}, header = true, columns = ${COLUMNS})`;
  return `
    SELECT category, customer, month, grouping(category) AS gc, grouping(customer) AS gu, grouping(month) AS gm,
           CAST(sum(cents) AS BIGINT) AS cents, count(*) AS n
    FROM (SELECT customer, category, strftime(date, '%Y-%m') AS month, CAST(amount * 100 AS BIGINT) AS cents
          FROM ${source})
    GROUP BY GROUPING SETS ((category), (customer), (month), ())`;
}

/** DuckDB on `threads` threads over the CSV or Parquet file: the result and the query's own time (the engine started before the clock). */
export async function duckdbAggregate(path: string, threads: number, params: AggregateParams = { top: 10 }): Promise<{ ms: number; result: AggregateResult }> {
  const instance = await DuckDBInstance.create(':memory:', { threads: String(threads) });
  try {
    const connection = await instance.connect();
    try {
      const start = performance.now();
      const rows = (await connection.runAndReadAll(aggregateSql(path))).getRows();
      const ms = performance.now() - start;
      return { ms, result: resultOfGroupingRows(rows, params) };
    } finally {
      connection.closeSync();
    }
  } finally {
    instance.closeSync();
  }
}
